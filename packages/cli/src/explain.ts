import { decodeAuthorization, diagnose, parseErrorBody, parseVaultUrl, redactUrl } from '@kvtrace/core';
import type { CallFacts, Diagnosis, HeaderBag, TokenClaims, VaultEndpoint } from '@kvtrace/core';
import { UsageError } from './args.js';

/** The inputs of one explanation, already read from files or stdin. */
export interface ExplainInput {
  /** Token as pasted: bare JWT, `Bearer <jwt>` or an `Authorization:` line. */
  readonly authorization?: string;
  readonly vault?: string;
  readonly tenant?: string;
  readonly status?: number;
  readonly body?: string;
  /** Lower-cased response header names. */
  readonly headers?: HeaderBag;
  readonly userAgent?: string;
  /** Epoch ms the request was sent (default now). */
  readonly at?: number;
}

/** What `kvtrace explain` found. Holds claims, never token text. */
export interface ExplainReport {
  readonly token?: TokenClaims & { readonly expiresInS?: number };
  readonly vault?: {
    readonly url: string;
    readonly name: string;
    readonly kind: string;
    readonly cloud: string;
    readonly audience: string;
    readonly operation?: string;
  };
  readonly tenant?: string;
  readonly response?: {
    readonly status: number;
    readonly errorCode?: string;
    readonly innerCode?: string;
    readonly message?: string;
  };
  readonly diagnosis: Diagnosis;
  /** Whether a problem was diagnosed (exit code 1). */
  readonly problem: boolean;
  /** One line saying why. */
  readonly summary: string;
  /** What could not be checked for lack of input. */
  readonly unchecked: readonly string[];
}

/** Causes that a token alone can show, without any response. */
const TOKEN_CAUSES = new Set(['token_expired', 'token_not_yet_valid', 'wrong_audience', 'wrong_tenant']);

/** Status a Key Vault error code implies, so `--body` alone is enough. */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  unauthorized: 401,
  forbidden: 403,
  throttled: 429,
  badparameter: 400,
  conflict: 409,
  notfound: 404,
  secretnotfound: 404,
  keynotfound: 404,
  certificatenotfound: 404,
};

function vaultUrl(text: string): string {
  const trimmed = text.trim();
  if (/^[a-z0-9-]{3,24}$/i.test(trimmed)) return `https://${trimmed}.vault.azure.net/`;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
}

function parseVault(text: string): VaultEndpoint {
  const endpoint = parseVaultUrl(vaultUrl(text));
  if (!endpoint) throw new UsageError('--vault is not a Key Vault or Managed HSM URL (e.g. https://myvault.vault.azure.net)');
  return endpoint;
}

/**
 * The vault states its tenant in the `WWW-Authenticate` challenge of its 401.
 * `--tenant` stands for that challenge, so diagnose compares the token's
 * tenant exactly as it does for a live call.
 */
function challengeFor(tenant: string, endpoint: VaultEndpoint | undefined): string {
  const resource = endpoint?.audience ?? 'https://vault.azure.net';
  return `Bearer authorization="https://login.microsoftonline.com/${tenant}", resource="${resource}"`;
}

function inferStatus(body: string | undefined): number | undefined {
  const code = parseErrorBody(body)?.code?.toLowerCase();
  return code === undefined ? undefined : STATUS_BY_CODE[code];
}

function fallbackText(status: number, d: Diagnosis): string {
  if (d.outcome === 'not_found') return `the vault answered ${status}: the object (or that version) does not exist, or the URL names the wrong vault.`;
  return `the vault answered ${status} (${d.errorCode ?? 'no error code'}).`;
}

/**
 * Explains a token, a vault response, or both, with the same diagnosis and
 * hints kvtrace records on spans. Pure apart from reading the clock.
 * @example explain({ authorization: jwt, vault: 'https://myvault.vault.azure.net' }).summary
 */
export function explain(input: ExplainInput): ExplainReport {
  const sentAt = input.at ?? Date.now();
  const endpoint = input.vault === undefined ? undefined : parseVault(input.vault);
  const claims = input.authorization === undefined ? undefined : decodeAuthorization(input.authorization);
  if (claims && !claims.present) throw new UsageError('--token is empty');
  // Tokens carry the tenant as a GUID (`tid`), so only a GUID can be compared.
  if (input.tenant !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(input.tenant)) {
    throw new UsageError('--tenant must be the tenant id (a GUID)');
  }

  const headers: Record<string, string | undefined> = { ...input.headers };
  if (input.tenant !== undefined && headers['www-authenticate'] === undefined) {
    headers['www-authenticate'] = challengeFor(input.tenant, endpoint);
  }
  const status = input.status ?? inferStatus(input.body);
  if (status === undefined && input.body !== undefined) {
    throw new UsageError('--body has no error code kvtrace knows: give --status');
  }
  if (status === undefined && claims === undefined) throw new UsageError('nothing to explain: give --token, --status/--body, or --response');

  // Without a response, ask what Key Vault would say if it refused this
  // token: a token cause is a problem; any other answer means the token
  // itself is fine.
  const tokenOnly = status === undefined;
  const facts: CallFacts = {
    status: status ?? 401,
    sentAt,
    ...(endpoint ? { endpoint } : {}),
    ...(claims ? { claims } : {}),
    headers,
    ...(input.body !== undefined ? { body: input.body } : {}),
    ...(input.userAgent !== undefined ? { userAgent: input.userAgent } : {}),
  };
  const diagnosis = diagnose(facts);

  let problem: boolean;
  let summary: string;
  if (tokenOnly) {
    problem = claims?.format === 'opaque' || TOKEN_CAUSES.has(diagnosis.cause ?? '');
    if (claims?.format === 'opaque') summary = 'opaque_token: the token is not a JWT, so its audience, tenant and expiry cannot be read; Key Vault expects a Microsoft Entra ID access token.';
    else if (problem) summary = `${diagnosis.cause}: ${diagnosis.hint ?? ''}`.trim();
    else summary = okTokenSummary(claims as TokenClaims, endpoint, sentAt);
  } else {
    problem = diagnosis.outcome !== 'ok' && diagnosis.outcome !== 'challenge';
    const why = diagnosis.hint ?? fallbackText(status as number, diagnosis);
    summary = problem ? `${diagnosis.cause ?? diagnosis.outcome}: ${why}` : `${diagnosis.cause ?? diagnosis.outcome}: ${diagnosis.hint ?? 'no problem found.'}`;
  }

  const unchecked: string[] = [];
  // Only a token on its own leaves these open; a response says what the vault judged.
  if (tokenOnly && claims?.format === 'jwt') {
    if (!endpoint) unchecked.push('audience checked against every cloud, not one vault (give --vault)');
    if (input.tenant === undefined && headers['www-authenticate'] === undefined) unchecked.push('tenant (give --tenant)');
  }

  const body = status === undefined ? null : parseErrorBody(input.body);
  return {
    ...(claims
      ? { token: { ...claims, ...(claims.exp !== undefined ? { expiresInS: Math.floor(claims.exp - sentAt / 1000) } : {}) } }
      : {}),
    ...(endpoint
      ? {
          vault: {
            url: redactUrl(vaultUrl(input.vault as string)),
            name: endpoint.vaultName,
            kind: endpoint.kind,
            cloud: endpoint.cloud,
            audience: endpoint.audience,
            ...(endpoint.collection ? { operation: endpoint.operation } : {}),
          },
        }
      : {}),
    ...(input.tenant !== undefined ? { tenant: input.tenant } : {}),
    ...(status !== undefined && !tokenOnly
      ? {
          response: {
            status,
            ...(body?.code ? { errorCode: body.code } : {}),
            ...(body?.innerCode ? { innerCode: body.innerCode } : {}),
            ...(body?.message ? { message: body.message } : {}),
          },
        }
      : {}),
    diagnosis,
    problem,
    summary,
    unchecked,
  };
}

function okTokenSummary(claims: TokenClaims, endpoint: VaultEndpoint | undefined, sentAt: number): string {
  const target = endpoint ? `vault ${endpoint.vaultName}` : 'Key Vault';
  const left = claims.exp === undefined ? '' : `, ${formatDuration(claims.exp - sentAt / 1000)} left`;
  return `ok: no problem found: the token's audience suits ${target} and it is within its validity${left}.`;
}

/** `42 min`, `3 h 5 min`, `12 s`. */
export function formatDuration(seconds: number): string {
  const s = Math.abs(Math.round(seconds));
  if (s < 120) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 120) return `${min} min`;
  return `${Math.floor(min / 60)} h ${min % 60} min`;
}
