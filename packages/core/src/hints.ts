import { KEYVAULT_APP_ID } from './audiences.js';
import { tenantFromAuthority } from './challenge.js';
import type { LimitClass } from './limits.js';
import type { Cause, Challenge, NetworkInfo, TokenClaims, VaultEndpoint, VaultErrorBody } from './types.js';

/**
 * One-sentence hints, one per cause, naming the concrete values (audience
 * sent and expected, the oid lacking which permission, the client address the
 * firewall saw). They are built only from claims, challenge, headers and the
 * server's message fields: never from token text or object names (those can
 * be configured out of telemetry, so hints must not carry them either).
 */
export interface HintContext {
  readonly endpoint?: VaultEndpoint | null | undefined;
  readonly claims?: TokenClaims | undefined;
  readonly challenge?: Challenge | null | undefined;
  readonly body?: VaultErrorBody | null | undefined;
  readonly network?: NetworkInfo | undefined;
  readonly retryAfterMs?: number | undefined;
  readonly sentS: number;
  readonly expectedAudience?: string | undefined;
  readonly limit?: LimitClass | undefined;
}

const MAX_VALUE_CHARS = 160;
const UNSAFE_ALL = /[\u0000-\u001f\u007f"'`]/g;

function hasUnsafe(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c === 127 || c === 34 || c === 39 || c === 96) return true;
  }
  return false;
}

/** A value fit for a hint: no control characters or quotes, bounded. */
function v(value: string | number | undefined, fallback = 'unknown'): string {
  if (value === undefined || value === '') return fallback;
  const raw = String(value);
  const s = (hasUnsafe(raw) ? raw.replace(UNSAFE_ALL, '') : raw).trim();
  return s.length === 0 ? fallback : s.length > MAX_VALUE_CHARS ? `${s.slice(0, MAX_VALUE_CHARS)}...` : s;
}

function vault(c: HintContext): string {
  return c.endpoint ? `vault ${v(c.endpoint.vaultName)}` : 'the vault';
}

function cap(s: string): string {
  return s.length > 0 ? s.charAt(0).toUpperCase() + s.slice(1) : s;
}

function caller(c: HintContext): string {
  const oid = c.claims?.oid ?? c.body?.callerOid;
  const appid = c.claims?.appid ?? c.body?.callerAppId;
  if (oid && appid) return `object id ${v(oid)} (app ${v(appid)})`;
  if (oid) return `object id ${v(oid)}`;
  if (appid) return `app ${v(appid)}`;
  return 'the caller';
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/**
 * `2027-01-15T07:58:00Z` from epoch seconds, computed (Howard Hinnant's
 * civil-from-days) because `new Date().toISOString()` was a tenth of diagnose.
 */
function iso(epochS: number): string {
  if (!Number.isSafeInteger(epochS) || epochS < 0 || epochS > 253_402_300_799) return String(epochS);
  const days = Math.floor(epochS / 86_400);
  const secs = epochS - days * 86_400;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const time = `${pad(Math.floor(secs / 3600))}:${pad(Math.floor((secs % 3600) / 60))}:${pad(secs % 60)}`;
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}T${time}Z`;
}

function tokenTenant(claims: TokenClaims | undefined): string | undefined {
  if (claims?.tid) return claims.tid;
  const m = claims?.iss ? /^https?:\/\/[^/]+\/([^/]+)/.exec(claims.iss) : null;
  return m?.[1];
}

/** Data-plane role that grants an RBAC action, for the hint. */
function roleFor(action: string | undefined): string {
  const a = (action ?? '').toLowerCase();
  if (a.includes('/secrets/')) return 'Key Vault Secrets User (read) or Key Vault Secrets Officer (write)';
  if (a.includes('/keys/')) return 'Key Vault Crypto User (use) or Key Vault Crypto Officer (manage)';
  if (a.includes('/certificates/')) return 'Key Vault Certificate User (read) or Key Vault Certificates Officer (manage)';
  return 'a Key Vault data-plane role';
}

const HINTS: { readonly [K in Cause]: (c: HintContext) => string } = {
  challenge: (c) =>
    `The Azure SDK sent its first request to ${vault(c)} without a token and got the expected authentication challenge (resource ${v(c.challenge?.resource)}, tenant ${v(c.challenge?.tenant)}); it retries with a token, so this is a handshake, not a fault.`,
  missing_token: (c) =>
    c.claims?.present
      ? `${cap(vault(c))} found no Bearer or PoP token in the Authorization header (scheme ${v(c.claims.scheme, 'missing')}); send Authorization: Bearer followed by a token for scope ${v(c.expectedAudience)}/.default.`
      : `The request to ${vault(c)} carried no Authorization header; send Authorization: Bearer with a token for scope ${v(c.expectedAudience)}/.default.`,
  token_expired: (c) => {
    const exp = c.claims?.exp;
    if (exp === undefined) {
      return `Key Vault says the token sent to ${vault(c)} has expired (${v(c.body?.akvCode ?? 'TokenExpired')}); acquire a fresh token for every call (the credential caches and refreshes it) instead of keeping one.`;
    }
    return `The token sent to ${vault(c)} expired at ${iso(exp)}, ${c.sentS - exp} s before the request was sent; acquire a fresh token from the credential for every call instead of keeping one, and check this machine's clock.`;
  },
  token_not_yet_valid: (c) =>
    `The token sent to ${vault(c)} is not valid before ${iso(c.claims?.nbf ?? 0)}, ${(c.claims?.nbf ?? c.sentS) - c.sentS} s after the request was sent; this machine's clock is behind, so sync it (NTP).`,
  wrong_audience: (c) => {
    const found = c.claims?.aud ?? c.body?.found;
    const expected = c.expectedAudience ?? c.body?.expected;
    const slash = found && expected && found === `${expected}/` ? ' (the trailing slash is the difference)' : '';
    return `The token's audience is ${v(found)} but ${vault(c)} expects ${v(expected)} or ${KEYVAULT_APP_ID}${slash}; request the token for scope ${v(expected)}/.default.`;
  },
  wrong_tenant: (c) => {
    const sent = tokenTenant(c.claims) ?? tenantFromAuthority(c.body?.found) ?? c.body?.found;
    const expected = c.challenge?.tenant ?? tenantFromAuthority(c.body?.expected) ?? c.body?.expected;
    return `The token was issued by tenant ${v(sent)} but ${vault(c)} belongs to tenant ${v(expected)}; request the token from that tenant (credential tenantId or AZURE_TENANT_ID) or allow it with additionallyAllowedTenants.`;
  },
  claims_challenge: (c) =>
    `${cap(vault(c))} asked for a token with more claims (Continuous Access Evaluation, error ${v(c.challenge?.error)}); request a new token passing the challenge's claims, which the Azure SDK does when the credential supports CAE.`,
  unauthenticated: (c) =>
    c.claims?.present === false
      ? `${cap(vault(c))} rejected the request as unauthenticated and no token was sent; send a Bearer token for scope ${v(c.expectedAudience)}/.default.`
      : `${cap(vault(c))} rejected the token of ${caller(c)} (audience ${v(c.claims?.aud)}, tenant ${v(tokenTenant(c.claims))}) without a reason; run kvtrace explain on the captured response to compare the token with the vault's challenge.`,
  firewall: (c) =>
    `The firewall of ${vault(c)} refused client address ${v(c.body?.clientAddress ?? c.network?.clientAddress)}; add that address or its subnet to the vault's network rules, reach the vault through a private endpoint, or allow trusted Microsoft services if the caller is one.`,
  access_policy: (c) =>
    `${cap(caller(c))} lacks the ${v(c.body?.permission ?? c.endpoint?.operation.replace('.', ' '))} permission in the access policies of ${vault(c)}; add it to that principal's access policy.`,
  rbac: (c) =>
    `${cap(caller(c))} is not granted ${v(c.body?.action, 'the data action')} on ${vault(c)} (${v(c.body?.decisionReason, 'denied by RBAC')}); assign ${roleFor(c.body?.action)} at the vault scope, or retry in up to 10 minutes if a role assignment was just made (propagation).`,
  forbidden: (c) =>
    `${cap(vault(c))} refused ${v(c.endpoint?.operation, 'the call')} for ${caller(c)} with 403 and no reason; check the vault's access model (access policies or RBAC) and its firewall for that principal.`,
  secret_disabled: (c) =>
    `The secret requested from ${vault(c)} is disabled (this is not an access problem); enable it or request another version.`,
  key_operation_forbidden: (c) =>
    `The key in ${vault(c)} does not allow ${v(c.endpoint?.operation.replace('keys.', ''), 'this operation')} in its permitted operations (key_ops), which is not an access problem; update the key's operations or use a key that allows it.`,
  deleted_recoverable: (c) =>
    `An object with this name was deleted from ${vault(c)} but is still recoverable (soft delete); recover it, or purge it before reusing the name.`,
  being_recovered: (c) =>
    `The object is being recovered in ${vault(c)}; retry ${c.retryAfterMs !== undefined ? `after ${Math.ceil(c.retryAfterMs / 1000)} s` : 'in a few seconds'}, once recovery completes.`,
  throttled: (c) => {
    const limit = c.limit && c.limit.limit > 0 ? `, limit ${c.limit.limit} per 10 s for ${c.limit.limitClass}` : '';
    const reason = c.body?.throttleReason ? ` (${v(c.body.throttleReason)}${limit})` : limit ? ` (${limit.slice(2)})` : '';
    const after =
      c.retryAfterMs !== undefined
        ? `wait the ${Math.ceil(c.retryAfterMs / 1000)} s Retry-After asks for`
        : 'the vault sent no Retry-After, so the Azure SDK will not retry: back off exponentially yourself';
    return `${cap(vault(c))} throttled ${v(c.endpoint?.operation, 'the call')}${reason}; ${after}, cache values in memory instead of reading them per request, and split the load across vaults if it persists.`;
  },
  bad_request: (c) => {
    const msg = c.body?.message ?? '';
    if (/api-version|specified version|version .{0,40}not (?:recognized|supported)/i.test(msg)) {
      return `${cap(vault(c))} (${v(c.endpoint?.cloud, 'its')} cloud) does not support api-version ${v(c.endpoint?.apiVersion)}; pin an older SDK or api-version, since sovereign clouds lag behind the public cloud.`;
    }
    if (/invalid name|name.*invalid/i.test(msg)) {
      return `${cap(vault(c))} rejected the object name: names are 1 to 127 letters, digits and hyphens.`;
    }
    return `${cap(vault(c))} rejected the request as malformed (${v(c.body?.code, 'BadRequest')}${c.body?.innerCode ? `/${v(c.body.innerCode)}` : ''}); check the request against the Key Vault REST reference for api-version ${v(c.endpoint?.apiVersion)}.`;
  },
};

/** The hint for `cause`; one sentence, never a secret. */
export function hintFor(cause: Cause, context: HintContext): string {
  return HINTS[cause](context);
}
