/**
 * fast-check arbitraries for the hardening property tests: inputs a vault
 * call can carry, biased toward the shapes kvtrace parses (vault URLs, JWTs,
 * Key Vault's real error texts, challenge headers) and then broken in every
 * way fast-check can think of.
 */
import fc from 'fast-check';

const GUID = fc.uuid();
const TEXTY = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme', maxLength: 50 }));
/** Long strings, to see that outputs stay bounded (up to ~40 KB). */
const LONG = fc.integer({ min: 1000, max: 40_000 }).chain((n) => fc.constantFrom('a', 'é', '"', '\\', '%', '\u0000', 'AKV10022: ').map((c) => c.repeat(Math.ceil(n / c.length))));
export const anyText: fc.Arbitrary<string> = fc.oneof({ weight: 4, arbitrary: TEXTY }, { weight: 1, arbitrary: LONG });

export const b64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/** A JWT-shaped token with arbitrary claims and a random "signature" (decoding never verifies it). */
export const jwtToken: fc.Arbitrary<string> = fc
  .record({
    claims: fc.oneof(
      fc.record({
        aud: fc.oneof(fc.constantFrom('https://vault.azure.net', 'https://vault.azure.net/', 'https://management.azure.com/'), anyText),
        tid: fc.oneof(GUID, anyText),
        iss: anyText,
        oid: fc.oneof(GUID, anyText),
        appid: fc.oneof(GUID, anyText),
        exp: fc.oneof(fc.integer(), fc.double(), anyText),
        nbf: fc.oneof(fc.integer(), fc.double()),
        iat: fc.integer(),
      }, { requiredKeys: [] }),
      fc.jsonValue(),
    ),
    header: fc.oneof(fc.constant({ alg: 'RS256', typ: 'JWT' }), fc.jsonValue()),
    signature: fc.uint8Array({ minLength: 32, maxLength: 256 }),
  })
  .map(({ claims, header, signature }) => `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}.${b64url(Buffer.from(signature))}`);

export const authorizationValue: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  jwtToken.map((t) => `Bearer ${t}`),
  jwtToken.map((t) => `PoP ${t}`),
  jwtToken,
  anyText,
  fc.tuple(fc.constantFrom('Bearer ', 'bearer  ', 'Basic '), anyText).map(([s, t]) => s + t),
);

const VAULT_HOSTS = ['myvault.vault.azure.net', 'kv.vault.azure.cn', 'x.vault.usgovcloudapi.net', 'hsm.managedhsm.azure.net', 'example.com', '127.0.0.1:8443'];
const PATHS = ['/secrets/db-password', '/secrets/db-password/0123abcd', '/keys/k/create', '/keys/k/v1/sign', '/certificates/c', '/deletedsecrets/x/recover', '/secrets', '/'];

/** URLs around vault URLs: real shapes, then arbitrary hosts, paths, queries and plain garbage. */
export const vaultishUrl: fc.Arbitrary<string> = fc.oneof(
  fc
    .record({
      host: fc.oneof(fc.constantFrom(...VAULT_HOSTS), fc.domain()),
      path: fc.oneof(fc.constantFrom(...PATHS), fc.webPath()),
      query: fc.oneof(fc.constant('?api-version=7.5'), fc.constant('?api%2Dversion=7.6&x=1'), fc.webQueryParameters().map((q) => `?${q}`), fc.constant('')),
      userinfo: fc.oneof(fc.constant(''), fc.constant('user:pass@')),
    })
    .map(({ host, path, query, userinfo }) => `https://${userinfo}${host}${path}${query}`),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  anyText,
);

/** Header values built from Key Vault's own shapes and broken versions of them. */
export const challengeValue: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.tuple(GUID, fc.constantFrom('authorization', 'authorization_uri')).map(([t, k]) => `Bearer ${k}="https://login.windows.net/${t}", resource="https://vault.azure.net"`),
  fc.string().map((claims) => `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="${claims}"`),
  fc.array(fc.tuple(fc.string({ maxLength: 12 }), anyText), { maxLength: 8 }).map((ps) => `Bearer ${ps.map(([k, v]) => `${k}="${v}"`).join(', ')}`),
  anyText,
);

const REAL_MESSAGES = [
  'AKV10000: Request is missing a Bearer or PoP token.',
  'AKV10022: Invalid audience. Expected https://vault.azure.net, found: https://management.azure.com/.',
  'AKV10032: Invalid issuer. Expected one of https://sts.windows.net/a/, found https://sts.windows.net/b/.',
  "[TokenExpired] Error validating token: 'S2S12086'.",
  "The user, group or application 'appid=1;oid=2;iss=3' does not have secrets get permission on key vault 'v;location=eastus'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287",
  "Caller is not authorized to perform action on resource.\r\nCaller: appid=1;oid=2;iss=3\r\nAction: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'\r\nAssignment: (not found)\r\nDecisionReason: 'DeniedWithNoValidRBAC'",
  'Client address is not authorized and caller is not a trusted service.\r\nClient address: 10.1.2.3 from unknown subnet\r\nCaller: x\r\nVault: v;location=eastus',
  'Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached',
];
const CODES = ['Unauthorized', 'Forbidden', 'Throttled', 'BadParameter', 'SecretNotFound', 'Conflict'];
const INNER = ['AccessDenied', 'ForbiddenByRbac', 'ForbiddenByFirewall', 'SecretDisabled', 'KeyOperationForbidden', 'ObjectIsBeingRecovered', 'ObjectIsDeletedButRecoverable'];

/** Error bodies: Key Vault's real ones, each field arbitrary, truncated JSON, HTML, binary. */
export const errorBody: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  fc
    .record({
      code: fc.oneof(fc.constantFrom(...CODES), anyText),
      message: fc.oneof(fc.constantFrom(...REAL_MESSAGES), anyText, fc.tuple(fc.constantFrom(...REAL_MESSAGES), anyText).map(([m, x]) => m + x)),
      inner: fc.oneof(fc.constantFrom(...INNER), anyText, fc.constant(undefined)),
      key: fc.constantFrom('innererror', 'innerError'),
      cut: fc.option(fc.nat(), { nil: undefined }),
    })
    .map(({ code, message, inner, key, cut }) => {
      const text = JSON.stringify({ error: { code, message, ...(inner === undefined ? {} : { [key]: { code: inner } }) } });
      return cut === undefined ? text : text.slice(0, cut % (text.length + 1));
    }),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  anyText,
);

/** Header bags (lower-cased names) with the headers kvtrace reads, arbitrary values, and noise. */
export const headerBag: fc.Arbitrary<Record<string, string>> = fc
  .record({
    'www-authenticate': challengeValue,
    'retry-after': fc.oneof(fc.integer().map(String), fc.double().map(String), fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()), anyText),
    'retry-after-ms': fc.oneof(fc.integer().map(String), anyText),
    'x-ms-retry-after-ms': fc.oneof(fc.nat().map(String), anyText),
    'x-ms-request-id': fc.oneof(GUID, anyText),
    'x-ms-client-request-id': fc.oneof(GUID, anyText),
    'x-ms-keyvault-region': anyText,
    'x-ms-keyvault-network-info': fc.oneof(fc.constant('conn_type=Ipv4;addr=1.2.3.4;act_addr_fam=InterNetwork;'), anyText),
    'content-type': fc.constantFrom('application/json; charset=utf-8', 'text/html', ''),
    'set-cookie': anyText,
  }, { requiredKeys: [] })
  .chain((known) => fc.dictionary(fc.string({ maxLength: 20 }), anyText, { maxKeys: 5 }).map((noise) => ({ ...noise, ...known })))
  .map((bag) => Object.fromEntries(Object.entries(bag).filter((e): e is [string, string] => e[1] !== undefined)));

export const statusCode: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(200, 201, 204, 400, 401, 403, 404, 409, 429, 500, 503),
  fc.integer({ min: -5, max: 1000 }),
  fc.constantFrom(Number.NaN, Infinity, 1.5),
);

/** Every string value inside a value (attributes, problem bodies). */
export function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) strings(v, out);
  return out;
}
