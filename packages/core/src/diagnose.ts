import { isValidAudience } from './audiences.js';
import { parseChallenge } from './challenge.js';
import { parseErrorBody } from './error-body.js';
import { hintFor } from './hints.js';
import { limitFor } from './limits.js';
import { parseNetworkInfo } from './network-info.js';
import { parseRetryAfter } from './retry-after.js';
import type { CallFacts, Cause, Challenge, Diagnosis, HeaderBag, Outcome, TokenClaims, VaultErrorBody } from './types.js';

/** Default {@link CallFacts.clockSkewS}. */
export const DEFAULT_CLOCK_SKEW_S = 60;

/** The Azure SDK for JS sends `azsdk-js-<package>/<version> ...`; its token-less first request is the handshake. */
const AZURE_SDK_USER_AGENT = /^azsdk-js-/i;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const OK: Diagnosis = Object.freeze({ outcome: 'ok', retryable: false });
const EMPTY_HEADERS: HeaderBag = Object.freeze({});

/** Causes where the same call can succeed later: by itself, with a fresh token, or after propagation. */
const RETRYABLE_CAUSES: ReadonlySet<Cause> = new Set<Cause>([
  'challenge',
  'token_expired',
  'claims_challenge',
  'rbac',
  'being_recovered',
  'throttled',
]);

/**
 * `keyvault.outcome` for a status: 401 challenge -> `challenge`, other 401 ->
 * `unauthenticated`, 403 `forbidden`, 429 `throttled`, 404 `not_found`, 409
 * `conflict`, 2xx/3xx `ok`, anything else `error`.
 */
export function outcomeFor(status: number, cause?: Cause): Outcome {
  if (status >= 200 && status < 400) return 'ok';
  switch (status) {
    case 401:
      return cause === 'challenge' ? 'challenge' : 'unauthenticated';
    case 403:
      return 'forbidden';
    case 429:
      return 'throttled';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    default:
      return 'error';
  }
}

/** Whether retrying can succeed: the retryable causes, and 408 / 5xx / network failures (status 0) without a cause. */
export function isRetryable(status: number, cause?: Cause): boolean {
  if (cause !== undefined) return RETRYABLE_CAUSES.has(cause);
  return status === 0 || status === 408 || status >= 500;
}

function tenantOf(claims: TokenClaims): string | undefined {
  if (claims.tid) return claims.tid;
  return claims.iss ? /^https?:\/\/[^/]+\/([^/]+)/.exec(claims.iss)?.[1] : undefined;
}

function cause401(
  claims: TokenClaims | undefined,
  body: VaultErrorBody | null,
  challenge: Challenge | null,
  userAgent: string | undefined,
  expectedAudience: string | undefined,
  sentS: number,
  skewS: number,
): Cause {
  if (challenge?.error?.toLowerCase() === 'insufficient_claims') return 'claims_challenge';
  const text = `${body?.code ?? ''} ${body?.innerCode ?? ''} ${body?.message ?? ''}`;
  const saysNoToken = body?.akvCode === 'AKV10000' || /missing a Bearer or PoP token/i.test(text);
  if (saysNoToken || claims?.present === false) {
    // A token-less first request from the Azure SDK is its handshake; from anything else it is a bug.
    const sdk = typeof userAgent === 'string' && AZURE_SDK_USER_AGENT.test(userAgent);
    return claims?.present !== true && challenge && sdk ? 'challenge' : 'missing_token';
  }
  // What the vault said wins over what the claims suggest.
  if (/TokenExpired|IDX10223|S2S12086|token is expired/i.test(text)) return 'token_expired';
  if (/TokenNotYetValid|S2S12085|IDX10222|not yet valid/i.test(text)) return 'token_not_yet_valid';
  if (body?.akvCode === 'AKV10022' || /Invalid audience/i.test(text)) return 'wrong_audience';
  if (body?.akvCode === 'AKV10032' || /Invalid issuer|Invalid tenant/i.test(text)) return 'wrong_tenant';
  if (claims?.format === 'jwt') {
    // Order of the vault's own validation (lifetime, then audience, then issuer).
    if (claims.exp !== undefined && claims.exp <= sentS + skewS) return 'token_expired';
    if (claims.nbf !== undefined && claims.nbf > sentS) return 'token_not_yet_valid';
    if (claims.aud !== undefined && !isValidAudience(claims.aud, expectedAudience)) return 'wrong_audience';
    const sent = tenantOf(claims);
    const expected = challenge?.tenant;
    if (sent && expected && GUID.test(expected) && GUID.test(sent) && sent.toLowerCase() !== expected.toLowerCase()) {
      return 'wrong_tenant';
    }
  }
  return 'unauthenticated';
}

/** Key Vault's codes and texts have fixed casing, but proxies and older api-versions vary it: compare lower-cased. */
function lowerText(body: VaultErrorBody): { codes: string; text: string } {
  const codes = `${body.innerCode ?? ''} ${body.code ?? ''}`.toLowerCase();
  return { codes, text: `${codes} ${(body.message ?? '').toLowerCase()}` };
}

/** Inner codes that decide a 403 on their own. */
const CODES_403: Readonly<Record<string, Cause>> = {
  forbiddenbyfirewall: 'firewall',
  forbiddenbyrbac: 'rbac',
  secretdisabled: 'secret_disabled',
  keyoperationforbidden: 'key_operation_forbidden',
  accessdenied: 'access_policy',
};

function cause403(body: VaultErrorBody | null): Cause {
  if (!body) return 'forbidden';
  // The inner code decides without reading the message (the common, cheap case).
  const byCode = CODES_403[(body.innerCode ?? '').toLowerCase()] ?? CODES_403[(body.code ?? '').toLowerCase()];
  if (byCode) return byCode;
  const { text } = lowerText(body);
  if (text.includes('forbiddenbyfirewall') || text.includes('client address is not authorized')) return 'firewall';
  if (text.includes('forbiddenbyrbac') || text.includes('caller is not authorized to perform action') || text.includes('deniedwithnovalidrbac')) {
    return 'rbac';
  }
  if (text.includes('secretdisabled') || text.includes('disabled secret')) return 'secret_disabled';
  if (text.includes('keyoperationforbidden')) return 'key_operation_forbidden';
  if (text.includes('accessdenied') || (body.permission !== undefined && text.includes('does not have'))) return 'access_policy';
  return 'forbidden';
}

function cause409(body: VaultErrorBody | null): Cause | undefined {
  if (!body) return undefined;
  const { text } = lowerText(body);
  if (text.includes('objectisbeingrecovered') || text.includes('being recovered')) return 'being_recovered';
  if (text.includes('objectisdeletedbutrecoverable') || text.includes('deleted but recoverable')) return 'deleted_recoverable';
  return undefined;
}

function finite(n: unknown): n is number {
  return typeof n === 'number' && Number.isFinite(n);
}

function diagnoseFacts(f: CallFacts): Diagnosis {
  const status = finite(f.status) ? Math.trunc(f.status) : 0;
  const headers = f.headers && typeof f.headers === 'object' ? f.headers : EMPTY_HEADERS;
  const retryAfterMs = parseRetryAfter(headers);
  if (status >= 200 && status < 400) return retryAfterMs === undefined ? OK : { ...OK, retryAfterMs };

  const body = status >= 400 ? parseErrorBody(f.body) : null;
  const claims = f.claims && typeof f.claims === 'object' ? f.claims : undefined;
  const endpoint = f.endpoint && typeof f.endpoint === 'object' ? f.endpoint : undefined;
  const sentS = Math.floor((finite(f.sentAt) ? f.sentAt : Date.now()) / 1000);
  const skewS = finite(f.clockSkewS) && f.clockSkewS >= 0 ? f.clockSkewS : DEFAULT_CLOCK_SKEW_S;
  const wwwAuthenticate = headers['www-authenticate'];
  const challenge = status === 401 && typeof wwwAuthenticate === 'string' ? parseChallenge(wwwAuthenticate) : null;
  // The challenge names the resource the vault wants; the host's cloud is the fallback.
  const expectedAudience = challenge?.resource ?? endpoint?.audience;
  const userAgent = typeof f.userAgent === 'string' ? f.userAgent : undefined;

  let cause: Cause | undefined;
  if (status === 401) cause = cause401(claims, body, challenge, userAgent, expectedAudience, sentS, skewS);
  else if (status === 403) cause = cause403(body);
  else if (status === 409) cause = cause409(body);
  else if (status === 429) cause = 'throttled';
  else if (status === 400) cause = 'bad_request';

  let hint: string | undefined;
  if (cause !== undefined) {
    const limit = cause === 'throttled' ? (f.limit ?? (endpoint ? limitFor(endpoint) : undefined)) : undefined;
    const network = cause === 'firewall' ? parseNetworkInfo(headers['x-ms-keyvault-network-info']) : undefined;
    hint = hintFor(cause, { endpoint, claims, challenge, body, network, retryAfterMs, sentS, expectedAudience, limit });
  }
  const d: { -readonly [K in keyof Diagnosis]: Diagnosis[K] } = {
    outcome: outcomeFor(status, cause),
    retryable: isRetryable(status, cause),
  };
  if (cause !== undefined) d.cause = cause;
  if (hint !== undefined) d.hint = hint;
  if (retryAfterMs !== undefined) d.retryAfterMs = retryAfterMs;
  if (body?.code !== undefined) d.errorCode = body.code;
  if (body?.innerCode !== undefined) d.innerCode = body.innerCode;
  if (challenge !== null) d.challenge = challenge;
  return d;
}

/**
 * Why a vault call went the way it did: outcome, cause, a one-sentence hint,
 * whether retrying can help, and the retry delay asked for. Reads the body
 * when there is one and falls back on claims vs challenge vs clock (a 401
 * whose token's `exp` has passed is `token_expired` even with an empty body).
 * Never throws.
 * @example diagnose({ status: 429, endpoint, headers: { 'retry-after': '5' }, body }).cause // 'throttled'
 */
export function diagnose(facts: CallFacts): Diagnosis {
  try {
    return diagnoseFacts(facts);
  } catch {
    const status = facts && finite(facts.status) ? facts.status : 0;
    return { outcome: outcomeFor(status), retryable: isRetryable(status) };
  }
}
