/**
 * The one mapping from a failed Key Vault (or identity) call to the HTTP
 * answer a service gives its own clients. Express and Fastify adapters are
 * thin shells over `toHttpAnswer`; the table lives here once (DESIGN.md,
 * "Middleware contract").
 */
import { MAX_EXPOSED_HINT_CHARS, MAX_EXPOSED_ID_CHARS, MAX_EXPOSED_MESSAGE_CHARS, clip, exposedText } from './exposed-text.js';
import { identityHint, recognizeThrown, transportHint } from './thrown-error.js';
import type { ThrownFailure } from './thrown-error.js';
import type { Cause, Diagnosis, Outcome } from './types.js';

/** The `cause` of an answer: a diagnosis cause, or what the failure was when the vault never diagnosed it. */
export type AnswerCause =
  | Cause
  | 'not_found'
  | 'conflict'
  | 'vault_error'
  | 'vault_unavailable'
  | 'network_error'
  | 'timeout'
  | 'authentication_failed'
  | 'credential_unavailable';

/** Options of `toHttpAnswer`; validate once at set-up with `validateHttpAnswerOptions`. */
export interface HttpAnswerOptions {
  /** Trace id of the server span, echoed as `traceId` (core reads no OpenTelemetry itself). */
  readonly traceId?: string;
  /** Add `hint` and `vault` (name, operation, codes, request id, scrubbed vault message) to the body, each bounded (message and hint 1,024 characters, ids and codes 128). Default false. */
  readonly expose?: boolean;
  /** Retry-After seconds when the vault sent none (429, 5xx, network, identity unavailable). Default 10: Key Vault's throttling window. */
  readonly backoffS?: number;
  /** Answer 403 `rbac` / `access_policy` with 503 + Retry-After (grants may still be propagating): true = 60 s, or the seconds. Default off (502). */
  readonly propagationRetry?: boolean | number;
  /** Status for a vault 404. Default 404. */
  readonly notFoundStatus?: number;
  /** Status per answer cause, overriding the table. */
  readonly statusByCause?: Readonly<Partial<Record<AnswerCause, number>>>;
  /** Hosts to treat as vaults besides Azure's. */
  readonly vaultHosts?: readonly string[];
  /** Answer 504 for a timeout that names no host (the Azure SDK's `AbortError`, fetch's `TimeoutError`). Default true. */
  readonly bareTimeouts?: boolean;
  /** Prefix of the problem `type` URI; the cause is appended. Default `urn:kvtrace:problem:`. */
  readonly typeBase?: string;
}

/** What `vault` holds in an exposed problem body. */
export interface ProblemVaultDetails {
  readonly name?: string;
  readonly operation?: string;
  readonly errorCode?: string;
  readonly innerCode?: string;
  readonly requestId?: string;
  /** The vault's message with caller identities replaced; at most 1,024 characters (cut with `…`). */
  readonly message?: string;
}

/** RFC 9457 problem details. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  /** A fixed sentence per cause: never vault text. */
  readonly detail: string;
  readonly traceId?: string;
  readonly retryable: boolean;
  readonly cause: AnswerCause;
  /** Only with `expose`. */
  readonly hint?: string;
  /** Only with `expose`. */
  readonly vault?: ProblemVaultDetails;
}

/** The answer to send: status, headers (content type, Retry-After) and body. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: ProblemDetails;
  readonly cause: AnswerCause;
  /** For the server span's `keyvault.outcome`. */
  readonly outcome: Outcome;
  /** The vault call's diagnosis, for the adapter's span (not for the body: its hint may name the caller). */
  readonly diagnosis?: Diagnosis;
}

/** Title and detail per cause: fixed sentences, so nothing from the vault leaks by default. */
const ANSWER_TEXTS: Readonly<Record<AnswerCause, { title: string; detail: string }>> = {
  challenge: auth('could not complete the authentication handshake with Key Vault'),
  missing_token: auth('called Key Vault without an access token'),
  token_expired: auth('called Key Vault with an expired access token'),
  token_not_yet_valid: auth('called Key Vault with an access token that is not valid yet'),
  wrong_audience: auth('called Key Vault with a token issued for another resource'),
  wrong_tenant: auth('called Key Vault with a token from the wrong tenant'),
  claims_challenge: auth('was asked by Key Vault for a token with additional claims'),
  unauthenticated: auth('was not authenticated by Key Vault'),
  firewall: denied('is blocked by the Key Vault firewall'),
  access_policy: denied('lacks a Key Vault access-policy permission for this operation'),
  rbac: denied('lacks a Key Vault role assignment for this operation'),
  forbidden: denied('was refused this Key Vault operation'),
  secret_disabled: { title: 'Secret disabled', detail: 'A secret this service needs is disabled in Key Vault.' },
  key_operation_forbidden: { title: 'Key operation not permitted', detail: 'A key this service uses does not permit this operation.' },
  deleted_recoverable: { title: 'Key Vault name conflict', detail: 'A Key Vault object this service writes exists in a deleted, recoverable state.' },
  being_recovered: { title: 'Key Vault object being recovered', detail: 'A Key Vault object this service needs is being recovered; retry later.' },
  conflict: { title: 'Key Vault conflict', detail: 'Key Vault reported a conflict for a request of this service.' },
  throttled: { title: 'Key Vault throttled this service', detail: 'Key Vault is throttling this service; retry after the indicated delay.' },
  bad_request: { title: 'Key Vault rejected the request', detail: 'Key Vault rejected a request made by this service as invalid.' },
  not_found: { title: 'Not found', detail: 'The requested Key Vault object does not exist.' },
  vault_error: { title: 'Key Vault error', detail: 'A Key Vault call made by this service failed.' },
  vault_unavailable: { title: 'Key Vault unavailable', detail: 'Key Vault failed to answer a request of this service; retry later.' },
  network_error: { title: 'Key Vault unreachable', detail: 'This service could not reach Key Vault; retry later.' },
  timeout: { title: 'Upstream timeout', detail: 'A call made by this service timed out.' },
  authentication_failed: { title: 'Service credentials rejected', detail: 'Microsoft Entra ID refused to issue this service a token for Key Vault.' },
  credential_unavailable: { title: 'Service credentials unavailable', detail: 'No credential was available for this service to authenticate; retry later.' },
};

function auth(what: string): { title: string; detail: string } {
  return { title: 'Service not authenticated to Key Vault', detail: `This service ${what}.` };
}

function denied(what: string): { title: string; detail: string } {
  return { title: 'Service not allowed by Key Vault', detail: `This service ${what}.` };
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const DEFAULT_BACKOFF_S = 10;
const DEFAULT_PROPAGATION_S = 60;

/** The table's row for a failure: status before overrides, and the Retry-After it would carry. */
interface Row {
  readonly cause: AnswerCause;
  readonly status: number;
  readonly retryAfterS: number;
  readonly outcome: Outcome;
}

/** A day, as parseRetryAfter caps what it reads: a longer delay is no retry hint anyone should honour. */
const MAX_RETRY_AFTER_S = 86_400;

function seconds(ms: number | undefined): number | undefined {
  if (ms === undefined || !Number.isFinite(ms)) return undefined;
  return retryAfterSeconds(ms / 1000);
}

/**
 * Whole seconds for the Retry-After header (RFC 9110 delta-seconds: digits
 * only), rounded up, at most a day. A KeyVaultError's retryAfterMs or a
 * configured backoff can be any finite number: 1e24 ms printed as `1e+21`,
 * 2.5 s as `2.5`, neither of which a client parses.
 */
function retryAfterSeconds(s: number): number {
  return Math.min(MAX_RETRY_AFTER_S, Math.max(0, Math.ceil(s)));
}

function rowFor(failure: ThrownFailure, options: HttpAnswerOptions): Row {
  const backoff = options.backoffS ?? DEFAULT_BACKOFF_S;
  // The vault's own Retry-After wins; the configured backoff stands in when it sent none.
  const vaultOrBackoff = seconds(failure.retryAfterMs) ?? backoff;
  switch (failure.kind) {
    case 'network':
      return { cause: 'network_error', status: 503, retryAfterS: backoff, outcome: 'error' };
    case 'timeout':
      return { cause: 'timeout', status: 504, retryAfterS: backoff, outcome: 'error' };
    case 'authentication':
      return { cause: 'authentication_failed', status: 502, retryAfterS: backoff, outcome: 'unauthenticated' };
    case 'credential_unavailable':
      return { cause: 'credential_unavailable', status: 503, retryAfterS: backoff, outcome: 'error' };
    case 'vault_response':
      break;
  }
  const status = failure.status ?? 0;
  const outcome = failure.diagnosis?.outcome ?? 'error';
  const cause = failure.diagnosis?.cause;
  const row = (c: AnswerCause, s: number, ra = vaultOrBackoff): Row => ({ cause: c, status: s, retryAfterS: ra, outcome });
  if (status === 429) return row(cause ?? 'throttled', 503);
  if (status === 401 || status === 403) {
    const fallback = status === 401 ? 'unauthenticated' : 'forbidden';
    if ((cause === 'rbac' || cause === 'access_policy') && options.propagationRetry) {
      const s = options.propagationRetry === true ? DEFAULT_PROPAGATION_S : options.propagationRetry;
      return row(cause, 503, s);
    }
    return row(cause ?? fallback, 502);
  }
  if (status === 404) return row('not_found', options.notFoundStatus ?? 404);
  if (status === 409) return row(cause ?? 'conflict', cause === 'being_recovered' ? 503 : 502);
  if (status === 400) return row(cause ?? 'bad_request', 502);
  if (status >= 500) return row('vault_unavailable', 503);
  return row(cause ?? 'vault_error', 502);
}

/** Retry-After is meaningful on 503 and 429 only (RFC 9110 §10.2.3); a 502 never carries one. */
function carriesRetryAfter(status: number): boolean {
  return status === 503 || status === 429;
}

function exposed(failure: ThrownFailure): Pick<ProblemDetails, 'hint' | 'vault'> {
  const id = (text: string | undefined): string | undefined => (text ? clip(text, MAX_EXPOSED_ID_CHARS) : undefined);
  const d = failure.diagnosis;
  const hint =
    failure.kind === 'vault_response'
      ? d?.hint
      : failure.kind === 'authentication' || failure.kind === 'credential_unavailable'
        ? identityHint(failure)
        : transportHint(failure);
  const e = failure.endpoint;
  const vault: ProblemVaultDetails | undefined =
    e || failure.kind === 'vault_response'
      ? {
          ...(e ? { name: id(e.vaultName), operation: e.operation } : {}),
          ...(d?.errorCode ? { errorCode: id(d.errorCode) } : {}),
          ...(d?.innerCode ? { innerCode: id(d.innerCode) } : {}),
          ...(failure.requestId ? { requestId: id(failure.requestId) } : {}),
          ...(failure.vaultMessage
            ? { message: exposedText(failure.vaultMessage, MAX_EXPOSED_MESSAGE_CHARS, failure.claims) }
            : {}),
        }
      : undefined;
  return {
    ...(hint ? { hint: exposedText(hint, MAX_EXPOSED_HINT_CHARS, failure.claims) } : {}),
    ...(vault ? { vault } : {}),
  };
}

/**
 * Maps what a request handler threw to the answer for the service's client,
 * or null when it is not a Key Vault or identity failure (the caller hands
 * it on untouched). Pure; never throws (a bug yields null, i.e. the app's
 * own error handling).
 *
 * @example
 * const answer = toHttpAnswer(err, { traceId, backoffS: 5 });
 * if (answer) res.writeHead(answer.status, answer.headers).end(JSON.stringify(answer.body));
 */
export function toHttpAnswer(err: unknown, options: HttpAnswerOptions = {}): HttpAnswer | null {
  try {
    const failure = recognizeThrown(err, options);
    if (!failure) return null;
    const row = rowFor(failure, options);
    const status = options.statusByCause?.[row.cause] ?? row.status;
    const retryable = carriesRetryAfter(status) || status === 504;
    const headers: Record<string, string> = { 'content-type': PROBLEM_CONTENT_TYPE };
    if (carriesRetryAfter(status)) headers['retry-after'] = String(retryAfterSeconds(row.retryAfterS));
    const text = ANSWER_TEXTS[row.cause];
    const body: ProblemDetails = {
      type: `${options.typeBase ?? 'urn:kvtrace:problem:'}${row.cause.replaceAll('_', '-')}`,
      title: text.title,
      status,
      detail: text.detail,
      ...(options.traceId ? { traceId: options.traceId } : {}),
      retryable,
      cause: row.cause,
      ...(options.expose ? exposed(failure) : {}),
    };
    return {
      status,
      headers,
      body,
      cause: row.cause,
      outcome: row.outcome,
      ...(failure.diagnosis ? { diagnosis: failure.diagnosis } : {}),
    };
  } catch {
    return null;
  }
}

const ANSWER_CAUSES = new Set<string>(Object.keys(ANSWER_TEXTS));

function isStatus(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 599;
}

function isSeconds(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/**
 * Checks options once at set-up; throws a TypeError naming the bad option
 * (`who` prefixes the message, e.g. `@kvtrace/express`). Returns a frozen copy.
 */
export function validateHttpAnswerOptions<T extends HttpAnswerOptions>(options: T | undefined, who = '@kvtrace/core'): Readonly<T> {
  if (options === undefined) return Object.freeze({}) as Readonly<T>;
  if (typeof options !== 'object' || options === null) throw new TypeError(`${who}: options must be an object`);
  const fail = (name: string, want: string): never => {
    throw new TypeError(`${who}: option "${name}" must be ${want}`);
  };
  const o = options as HttpAnswerOptions;
  if (o.expose !== undefined && typeof o.expose !== 'boolean') fail('expose', 'a boolean');
  if (o.bareTimeouts !== undefined && typeof o.bareTimeouts !== 'boolean') fail('bareTimeouts', 'a boolean');
  if (o.backoffS !== undefined && !isSeconds(o.backoffS)) fail('backoffS', 'a non-negative number of seconds');
  if (o.propagationRetry !== undefined && typeof o.propagationRetry !== 'boolean' && !isSeconds(o.propagationRetry)) {
    fail('propagationRetry', 'a boolean or a non-negative number of seconds');
  }
  if (o.notFoundStatus !== undefined && !isStatus(o.notFoundStatus)) fail('notFoundStatus', 'an integer status 400-599');
  if (o.typeBase !== undefined && typeof o.typeBase !== 'string') fail('typeBase', 'a string');
  if (o.traceId !== undefined && typeof o.traceId !== 'string') fail('traceId', 'a string');
  if (o.vaultHosts !== undefined) {
    if (!Array.isArray(o.vaultHosts) || !o.vaultHosts.every((h) => typeof h === 'string' && h !== '')) {
      fail('vaultHosts', 'an array of host names');
    }
  }
  if (o.statusByCause !== undefined) {
    if (typeof o.statusByCause !== 'object' || o.statusByCause === null) fail('statusByCause', 'an object');
    for (const [cause, status] of Object.entries(o.statusByCause)) {
      if (!ANSWER_CAUSES.has(cause)) fail(`statusByCause.${cause}`, `one of the causes (${[...ANSWER_CAUSES].join(', ')})`);
      if (!isStatus(status)) fail(`statusByCause.${cause}`, 'an integer status 400-599');
    }
  }
  return Object.freeze({ ...options });
}
