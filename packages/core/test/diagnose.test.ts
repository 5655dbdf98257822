import { beforeAll, describe, expect, it } from 'vitest';
import { decodeAuthorization, diagnose, parseVaultUrl } from '../src/index.js';
import type { CallFacts, Cause, Outcome, TokenClaims } from '../src/index.js';
import { BODIES, CAE_CHALLENGE, CHALLENGE, SDK_USER_AGENT } from './helpers/texts.js';
import { APP_ID, OBJECT_ID, OTHER_TENANT, TENANT, mintToken } from './helpers/tokens.js';

const NOW_MS = 1_800_000_000_000;
const NOW_S = NOW_MS / 1000;
const endpoint = parseVaultUrl('https://myvault.vault.azure.net/secrets/db-password?api-version=7.5', 'GET');
const cnEndpoint = parseVaultUrl('https://myvault.vault.azure.cn/secrets/db-password?api-version=7.5', 'GET');
const ABSENT: TokenClaims = { present: false };

let good: TokenClaims;
const tokens: Record<string, TokenClaims> = {};
beforeAll(async () => {
  const claims = async (o: Record<string, unknown>) => decodeAuthorization(`Bearer ${await mintToken(o, NOW_S)}`);
  good = await claims({});
  tokens.expired = await claims({ exp: NOW_S - 120 });
  tokens.expiringInSkew = await claims({ exp: NOW_S + 30 });
  tokens.future = await claims({ nbf: NOW_S + 600, iat: NOW_S + 600 });
  tokens.arm = await claims({ aud: 'https://management.azure.com/' });
  tokens.slash = await claims({ aud: 'https://vault.azure.net/' });
  tokens.spn = await claims({ aud: 'spn:cfa8b339-82a2-471a-a3c9-0fc0be7a4093' });
  tokens.ownUrl = await claims({ aud: 'https://myvault.vault.azure.net' });
  tokens.appId = await claims({ aud: 'cfa8b339-82a2-471a-a3c9-0fc0be7a4093' });
  tokens.otherTenant = await claims({ tid: OTHER_TENANT, iss: `https://sts.windows.net/${OTHER_TENANT}/` });
});

interface Row {
  name: string;
  status: number;
  facts: () => Partial<CallFacts>;
  cause?: Cause;
  outcome: Outcome;
  retryable: boolean;
  hint?: RegExp;
}

const c = (name: string) => () => tokens[name] as TokenClaims;
const auth = { 'www-authenticate': CHALLENGE };

const rows: Row[] = [
  // 401
  { name: 'SDK handshake, body', status: 401, facts: () => ({ claims: ABSENT, userAgent: SDK_USER_AGENT, headers: auth, body: BODIES.noToken }), cause: 'challenge', outcome: 'challenge', retryable: true, hint: /tenant 72f988bf.*handshake/ },
  { name: 'SDK handshake, no body', status: 401, facts: () => ({ claims: ABSENT, userAgent: SDK_USER_AGENT, headers: auth }), cause: 'challenge', outcome: 'challenge', retryable: true, hint: /resource https:\/\/vault\.azure\.net/ },
  { name: 'fetch without token, body', status: 401, facts: () => ({ claims: ABSENT, userAgent: 'node', headers: auth, body: BODIES.noToken }), cause: 'missing_token', outcome: 'unauthenticated', retryable: false, hint: /no Authorization header.*https:\/\/vault\.azure\.net\/\.default/ },
  { name: 'fetch without token, no body', status: 401, facts: () => ({ claims: ABSENT, headers: auth }), cause: 'missing_token', outcome: 'unauthenticated', retryable: false },
  { name: 'SDK UA but no challenge', status: 401, facts: () => ({ claims: ABSENT, userAgent: SDK_USER_AGENT }), cause: 'missing_token', outcome: 'unauthenticated', retryable: false },
  { name: 'AKV10000 though a header was sent', status: 401, facts: () => ({ claims: decodeAuthorization('Token abc'), userAgent: SDK_USER_AGENT, headers: auth, body: BODIES.noToken }), cause: 'missing_token', outcome: 'unauthenticated', retryable: false, hint: /scheme Token/ },
  { name: 'expired, body', status: 401, facts: () => ({ claims: good, headers: auth, body: BODIES.expired }), cause: 'token_expired', outcome: 'unauthenticated', retryable: true, hint: /expired/ },
  { name: 'expired, older IDX10223 body', status: 401, facts: () => ({ claims: good, body: BODIES.expiredIdx }), cause: 'token_expired', outcome: 'unauthenticated', retryable: true },
  { name: 'expired, no body', status: 401, facts: () => ({ claims: c('expired')(), headers: auth }), cause: 'token_expired', outcome: 'unauthenticated', retryable: true, hint: /expired at 2027-01-15T07:58:00Z, 120 s before/ },
  { name: 'exp within the clock skew, no body', status: 401, facts: () => ({ claims: c('expiringInSkew')(), headers: auth }), cause: 'token_expired', outcome: 'unauthenticated', retryable: true },
  { name: 'exp within a zero skew is not expired', status: 401, facts: () => ({ claims: c('expiringInSkew')(), headers: auth, clockSkewS: 0 }), cause: 'unauthenticated', outcome: 'unauthenticated', retryable: false },
  { name: 'not yet valid, body', status: 401, facts: () => ({ claims: good, body: BODIES.notYetValid }), cause: 'token_not_yet_valid', outcome: 'unauthenticated', retryable: false },
  { name: 'not yet valid, no body', status: 401, facts: () => ({ claims: c('future')(), headers: auth }), cause: 'token_not_yet_valid', outcome: 'unauthenticated', retryable: false, hint: /600 s after.*clock/ },
  { name: 'audience, body', status: 401, facts: () => ({ claims: good, headers: auth, body: BODIES.audience }), cause: 'wrong_audience', outcome: 'unauthenticated', retryable: false, hint: /audience is https:\/\/vault\.azure\.net but/ },
  { name: 'audience, body, no claims', status: 401, facts: () => ({ body: BODIES.audience }), cause: 'wrong_audience', outcome: 'unauthenticated', retryable: false, hint: /audience is https:\/\/management\.azure\.com\/ but vault myvault expects https:\/\/vault\.azure\.net/ },
  { name: 'audience ARM, no body', status: 401, facts: () => ({ claims: c('arm')(), headers: auth }), cause: 'wrong_audience', outcome: 'unauthenticated', retryable: false, hint: /https:\/\/management\.azure\.com\/ but vault myvault expects https:\/\/vault\.azure\.net/ },
  { name: 'audience trailing slash, no body', status: 401, facts: () => ({ claims: c('slash')(), headers: auth }), cause: 'wrong_audience', outcome: 'unauthenticated', retryable: false, hint: /trailing slash/ },
  { name: 'audience spn: form, no body', status: 401, facts: () => ({ claims: c('spn')(), headers: auth }), cause: 'wrong_audience', outcome: 'unauthenticated', retryable: false, hint: /spn:cfa8b339/ },
  { name: "audience the vault's own URL, no body", status: 401, facts: () => ({ claims: c('ownUrl')(), headers: auth }), cause: 'wrong_audience', outcome: 'unauthenticated', retryable: false },
  { name: 'audience app id is valid', status: 401, facts: () => ({ claims: c('appId')(), headers: auth }), cause: 'unauthenticated', outcome: 'unauthenticated', retryable: false },
  { name: 'public audience at a China vault, no challenge', status: 401, facts: () => ({ claims: good, endpoint: cnEndpoint }), cause: 'wrong_audience', outcome: 'unauthenticated', retryable: false, hint: /expects https:\/\/vault\.azure\.cn/ },
  { name: 'challenge resource wins over the host', status: 401, facts: () => ({ claims: good, endpoint: cnEndpoint, headers: auth }), cause: 'unauthenticated', outcome: 'unauthenticated', retryable: false },
  { name: 'tenant, body', status: 401, facts: () => ({ claims: good, body: BODIES.issuer }), cause: 'wrong_tenant', outcome: 'unauthenticated', retryable: false },
  { name: 'tenant, body, no claims', status: 401, facts: () => ({ body: BODIES.issuer }), cause: 'wrong_tenant', outcome: 'unauthenticated', retryable: false, hint: new RegExp(`tenant ${OTHER_TENANT} but vault myvault belongs to tenant ${TENANT}`) },
  { name: 'tenant, no body', status: 401, facts: () => ({ claims: c('otherTenant')(), headers: auth }), cause: 'wrong_tenant', outcome: 'unauthenticated', retryable: false, hint: new RegExp(`tenant ${OTHER_TENANT} but vault myvault belongs to tenant ${TENANT}`) },
  { name: 'CAE claims challenge, no body', status: 401, facts: () => ({ claims: good, headers: { 'www-authenticate': CAE_CHALLENGE } }), cause: 'claims_challenge', outcome: 'unauthenticated', retryable: true, hint: /insufficient_claims/ },
  { name: 'CAE claims challenge, body', status: 401, facts: () => ({ claims: good, headers: { 'www-authenticate': CAE_CHALLENGE }, body: '{"error":{"code":"Unauthorized","message":"Token revoked."}}' }), cause: 'claims_challenge', outcome: 'unauthenticated', retryable: true },
  { name: 'good token, no body', status: 401, facts: () => ({ claims: good, headers: auth }), cause: 'unauthenticated', outcome: 'unauthenticated', retryable: false, hint: new RegExp(OBJECT_ID) },
  { name: 'opaque token, unknown body', status: 401, facts: () => ({ claims: decodeAuthorization('Bearer opaque-token'), body: '{"error":{"code":"Unauthorized","message":"AKV10001: Unable to parse token."}}' }), cause: 'unauthenticated', outcome: 'unauthenticated', retryable: false },
  // 403
  { name: 'firewall, body', status: 403, facts: () => ({ claims: good, body: BODIES.firewall }), cause: 'firewall', outcome: 'forbidden', retryable: false, hint: /client address 203\.0\.113\.7/ },
  { name: 'firewall message without inner code', status: 403, facts: () => ({ body: BODIES.firewall.replace(',"innererror":{"code":"ForbiddenByFirewall"}', '') }), cause: 'firewall', outcome: 'forbidden', retryable: false },
  { name: 'access policy, body', status: 403, facts: () => ({ claims: good, body: BODIES.accessPolicy }), cause: 'access_policy', outcome: 'forbidden', retryable: false, hint: new RegExp(`Object id ${OBJECT_ID} \\(app ${APP_ID}\\) lacks the secrets get permission`) },
  { name: 'access policy, body, no claims', status: 403, facts: () => ({ body: BODIES.accessPolicy }), cause: 'access_policy', outcome: 'forbidden', retryable: false, hint: new RegExp(OBJECT_ID) },
  { name: 'rbac, body', status: 403, facts: () => ({ claims: good, body: BODIES.rbac }), cause: 'rbac', outcome: 'forbidden', retryable: true, hint: /getSecret\/action.*Key Vault Secrets User.*propagation/ },
  { name: 'forbidden, no body', status: 403, facts: () => ({ claims: good }), cause: 'forbidden', outcome: 'forbidden', retryable: false, hint: new RegExp(`secrets\\.get for object id ${OBJECT_ID}`) },
  { name: 'forbidden, unknown body', status: 403, facts: () => ({ body: '{"error":{"code":"Forbidden","message":"Nope."}}' }), cause: 'forbidden', outcome: 'forbidden', retryable: false },
  { name: 'secret disabled, body', status: 403, facts: () => ({ claims: good, body: BODIES.secretDisabled }), cause: 'secret_disabled', outcome: 'forbidden', retryable: false, hint: /not an access problem/ },
  { name: 'key operation forbidden, body', status: 403, facts: () => ({ endpoint: parseVaultUrl('https://myvault.vault.azure.net/keys/k/v/sign', 'POST'), body: BODIES.keyOperation }), cause: 'key_operation_forbidden', outcome: 'forbidden', retryable: false, hint: /allow sign/ },
  // 409
  { name: 'deleted but recoverable, body', status: 409, facts: () => ({ body: BODIES.deletedRecoverable }), cause: 'deleted_recoverable', outcome: 'conflict', retryable: false, hint: /recover it, or purge it/ },
  { name: 'being recovered, body', status: 409, facts: () => ({ body: BODIES.beingRecovered, headers: { 'retry-after': '3' } }), cause: 'being_recovered', outcome: 'conflict', retryable: true, hint: /after 3 s/ },
  { name: '409 without body', status: 409, facts: () => ({}), outcome: 'conflict', retryable: false },
  // 429
  { name: 'throttled, body, no Retry-After', status: 429, facts: () => ({ body: BODIES.throttled }), cause: 'throttled', outcome: 'throttled', retryable: true, hint: /VaultRequestTypeLimitReached, limit 4000 per 10 s for vault\.all.*no Retry-After.*back off exponentially/ },
  { name: 'throttled, operation limit, Retry-After', status: 429, facts: () => ({ body: BODIES.throttledOperation, headers: { 'retry-after': '7' } }), cause: 'throttled', outcome: 'throttled', retryable: true, hint: /VaultOperationLimitReached.*wait the 7 s/ },
  { name: 'throttled, no body', status: 429, facts: () => ({ headers: { 'x-ms-retry-after-ms': '1500' } }), cause: 'throttled', outcome: 'throttled', retryable: true, hint: /limit 4000 per 10 s for vault\.all\).*wait the 2 s/ },
  // 400
  { name: 'bad name, body', status: 400, facts: () => ({ body: BODIES.badName }), cause: 'bad_request', outcome: 'error', retryable: false, hint: /1 to 127 letters/ },
  { name: 'unsupported api-version, body', status: 400, facts: () => ({ endpoint: cnEndpoint, body: BODIES.badApiVersion }), cause: 'bad_request', outcome: 'error', retryable: false, hint: /china cloud\) does not support api-version 7\.5/ },
  { name: '400 without body', status: 400, facts: () => ({}), cause: 'bad_request', outcome: 'error', retryable: false, hint: /BadRequest/ },
  // others
  { name: '200', status: 200, facts: () => ({ claims: good }), outcome: 'ok', retryable: false },
  { name: '302', status: 302, facts: () => ({}), outcome: 'ok', retryable: false },
  { name: '404', status: 404, facts: () => ({ body: '{"error":{"code":"SecretNotFound","message":"A secret with (name/id) x was not found in this key vault."}}' }), outcome: 'not_found', retryable: false },
  { name: '500', status: 500, facts: () => ({ body: '<html><head><title>500 Internal Server Error</title></head></html>' }), outcome: 'error', retryable: true },
  { name: '503', status: 503, facts: () => ({ headers: { 'retry-after': '10' } }), outcome: 'error', retryable: true },
  { name: 'network failure (status 0)', status: 0, facts: () => ({}), outcome: 'error', retryable: true },
];

describe('diagnose: one row per cause, with and without a body', () => {
  it.each(rows)('$status $name', (row) => {
    const d = diagnose({ status: row.status, endpoint, sentAt: NOW_MS, ...row.facts() });
    expect(d.outcome).toBe(row.outcome);
    expect(d.cause).toBe(row.cause);
    expect(d.retryable).toBe(row.retryable);
    if (row.cause) {
      expect(d.hint).toBeTypeOf('string');
      // One sentence: a single final period, no line breaks.
      expect(d.hint).toMatch(/^[A-Z][^\r\n]*\.$/);
      expect(d.hint?.length).toBeLessThan(400);
    } else {
      expect(d.hint).toBeUndefined();
    }
    if (row.hint) expect(d.hint).toMatch(row.hint);
  });

  it('covers every cause of DESIGN.md', () => {
    const all: Cause[] = ['challenge', 'missing_token', 'token_expired', 'token_not_yet_valid', 'wrong_audience', 'wrong_tenant', 'claims_challenge', 'unauthenticated', 'firewall', 'access_policy', 'rbac', 'forbidden', 'secret_disabled', 'key_operation_forbidden', 'deleted_recoverable', 'being_recovered', 'throttled', 'bad_request'];
    expect(new Set(rows.map((r) => r.cause).filter(Boolean))).toEqual(new Set(all));
  });
});

describe('diagnose: details', () => {
  it('reports error codes, the challenge and the retry delay', () => {
    const d = diagnose({ status: 403, endpoint, body: BODIES.rbac, headers: { 'retry-after-ms': '250' } });
    expect(d).toMatchObject({ errorCode: 'Forbidden', innerCode: 'ForbiddenByRbac', retryAfterMs: 250 });
    const ch = diagnose({ status: 401, claims: ABSENT, userAgent: SDK_USER_AGENT, headers: auth });
    expect(ch.challenge).toMatchObject({ tenant: TENANT, resource: 'https://vault.azure.net' });
  });

  it('names the firewall address from x-ms-keyvault-network-info when the message has none', () => {
    const d = diagnose({
      status: 403,
      endpoint,
      body: '{"error":{"code":"Forbidden","message":"Client address is not authorized and caller is not a trusted service.","innererror":{"code":"ForbiddenByFirewall"}}}',
      headers: { 'x-ms-keyvault-network-info': 'conn_type=Ipv4;addr=198.51.100.4;act_addr_fam=InterNetwork;' },
    });
    expect(d.hint).toContain('198.51.100.4');
  });

  it('uses the limit class the caller passes', () => {
    const d = diagnose({ status: 429, endpoint, limit: { limitClass: 'secrets.create', limit: 300 } });
    expect(d.hint).toContain('limit 300 per 10 s for secrets.create');
  });

  it('reads bodies the way they arrive: no colon, \\n breaks, innerError casing, HTML, empty', () => {
    const noColon = diagnose({ status: 401, body: '{"error":{"code":"Unauthorized","message":"AKV10022 Invalid audience. Expected https://vault.azure.net, found: https://vault.azure.net/."}}' });
    expect(noColon.cause).toBe('wrong_audience');
    const lf = diagnose({ status: 403, body: BODIES.rbac.replaceAll('\\r\\n', '\\n') });
    expect(lf.hint).toMatch(/getSecret\/action/);
    const camel = diagnose({ status: 403, body: BODIES.firewall.replace('innererror', 'innerError') });
    expect(camel).toMatchObject({ cause: 'firewall', innerCode: 'ForbiddenByFirewall' });
    const nested = diagnose({ status: 403, body: '{"error":{"code":"Forbidden","message":"x","innererror":{"innererror":{"code":"ForbiddenByRbac"}}}}' });
    expect(nested.cause).toBe('rbac');
    expect(diagnose({ status: 403, body: '<!DOCTYPE html><html><title>403 Forbidden</title></html>' }).cause).toBe('forbidden');
    expect(diagnose({ status: 401, claims: good, body: '', sentAt: NOW_MS }).cause).toBe('unauthenticated');
    const cut = BODIES.accessPolicy.indexOf(' on key vault');
    const truncated = diagnose({ status: 403, body: BODIES.accessPolicy.slice(0, cut) });
    expect(truncated.cause).toBe('access_policy');
  });

  it('never puts token text into a hint', async () => {
    const token = await mintToken({ exp: NOW_S - 10 }, NOW_S);
    const claims = decodeAuthorization(`Bearer ${token}`);
    const d = diagnose({ status: 401, endpoint, claims, headers: auth, sentAt: NOW_MS });
    expect(d.cause).toBe('token_expired');
    for (const part of token.split('.')) expect(JSON.stringify(d)).not.toContain(part);
  });
});
