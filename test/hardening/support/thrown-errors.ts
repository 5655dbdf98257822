/**
 * Arbitrary values a request handler may throw, shaped like what the
 * middleware recognises (Azure `RestError`, identity errors, kvtrace's
 * `KeyVaultError`) and broken: missing or wrong-typed fields, `cause` chains
 * and cycles, getters and header bags that throw, primitives. Each case
 * knows the token it planted (to prove it never reaches an answer) and can
 * snapshot itself (to prove the mapping changed nothing).
 */
import fc from 'fast-check';
import { anyText, errorBody, headerBag, jwtToken, statusCode, vaultishUrl } from './arbitraries.js';

export interface ThrownCase {
  value: unknown;
  /** Strings that must never appear in an answer. */
  secrets: string[];
  snapshot: () => string;
}

/** A deep, cycle-safe, function-aware description of a value (what "unchanged" is checked against). */
export function describeValue(value: unknown, seen = new Map<object, number>()): string {
  if (typeof value === 'function') return 'fn';
  if (typeof value !== 'object' || value === null) return typeof value === 'bigint' ? `${value}n` : JSON.stringify(value) ?? String(value);
  if (seen.has(value)) return `#${seen.get(value)}`;
  seen.set(value, seen.size);
  const parts: string[] = [];
  for (const key of Reflect.ownKeys(value)) {
    const d = Object.getOwnPropertyDescriptor(value, key)!;
    parts.push(`${String(key)}:${'get' in d && d.get ? 'getter' : describeValue(d.value, seen)}`);
  }
  return `{${parts.join(',')}}`;
}

const headersObject = (bag: Record<string, string>, style: 'plain' | 'get' | 'throwing'): unknown => {
  if (style === 'plain') return { ...bag };
  if (style === 'get') {
    const copy = new Map(Object.entries(bag).map(([k, v]) => [k.toLowerCase(), v]));
    return { get: (name: string) => copy.get(name.toLowerCase()) };
  }
  return {
    get: () => {
      throw new Error('broken header bag');
    },
  };
};

const restError = fc
  .record({
    status: fc.oneof(statusCode, fc.constant(undefined)),
    code: fc.oneof(fc.constantFrom('Unauthorized', 'Forbidden', 'Throttled', 'ECONNRESET', 'REQUEST_SEND_ERROR', 'ETIMEDOUT'), anyText, fc.constant(undefined)),
    url: fc.oneof(fc.constant('https://myvault.vault.azure.net/secrets/db-password?api-version=7.5'), vaultishUrl),
    token: jwtToken,
    tokenInMessage: fc.boolean(),
    message: anyText,
    body: errorBody,
    responseHeaders: headerBag,
    style: fc.constantFrom<'plain' | 'get' | 'throwing'>('plain', 'get', 'throwing'),
    innerError: fc.oneof(fc.constantFrom('AccessDenied', 'ForbiddenByRbac', 'ForbiddenByFirewall'), anyText),
  })
  .map((r): ThrownCase => {
    const authorization = `Bearer ${r.token}`;
    // A message echoing a JWT (a proxy's text, say) must lose it: scrubClaims promises that for eyJ... tokens.
    const echo = r.tokenInMessage && r.token.startsWith('eyJ');
    const err = Object.assign(new Error(echo ? `${r.message} ${authorization}` : r.message), {
      name: 'RestError',
      code: r.code,
      statusCode: r.status,
      request: { url: r.url, method: 'GET', headers: headersObject({ authorization, 'user-agent': 'azsdk-js-keyvault-secrets/4.11.2' }, r.style) },
      response: { status: r.status, headers: headersObject(r.responseHeaders, r.style), bodyAsText: r.body },
      details: { error: { code: r.code, message: r.message, innerError: { code: r.innerError } } },
    });
    return { value: err, secrets: secretsOf(r.token), snapshot: () => describeValue(err) };
  });

const identityError = fc
  .record({
    name: fc.constantFrom('AuthenticationError', 'AuthenticationRequiredError', 'CredentialUnavailableError', 'AggregateAuthenticationError'),
    secret: fc.string({ minLength: 20, maxLength: 40 }).map((s) => `fv~${Buffer.from(s).toString('base64url')}`),
    message: anyText,
    description: anyText,
    status: fc.oneof(statusCode, fc.constant(undefined)),
  })
  .map((r): ThrownCase => {
    // A confused credential may echo the secret into its message: the answer must not pass it on.
    const err = Object.assign(new Error(`invalid_client: ${r.message}`), {
      name: r.name,
      statusCode: r.status,
      errorResponse: { error: 'invalid_client', errorDescription: `AADSTS7000215: ${r.description}`, error_codes: [7000215] },
    }) as unknown as Record<string, unknown>;
    if (r.name === 'AggregateAuthenticationError') err['errors'] = [{ name: 'CredentialUnavailableError', message: r.message }];
    return { value: err, secrets: [], snapshot: () => describeValue(err) };
  });

const keyVaultErrorLike = fc
  .record({ token: jwtToken, status: statusCode, headers: headerBag, hint: fc.string({ maxLength: 300 }), retryAfterMs: fc.oneof(fc.nat(86_400_000), fc.constantFrom(Number.NaN, -5, undefined)) })
  .map((r): ThrownCase => {
    const err = Object.assign(new Error('vault call failed'), {
      name: 'KeyVaultError',
      status: r.status,
      url: 'https://myvault.vault.azure.net/secrets/db-password?api-version=7.5',
      headers: r.headers,
      retryAfterMs: r.retryAfterMs,
      diagnosis: { outcome: 'forbidden', cause: 'rbac', hint: r.hint, retryable: true },
      claims: { present: true, format: 'jwt', oid: 'oid-1' },
    });
    return { value: err, secrets: secretsOf(r.token), snapshot: () => describeValue(err) };
  });

/** Wraps a case in a `cause` chain, a cycle, a Proxy whose every trap throws, or leaves it. */
const wrapped = (inner: fc.Arbitrary<ThrownCase>): fc.Arbitrary<ThrownCase> =>
  fc.tuple(inner, fc.constantFrom('none', 'cause', 'cycle', 'deep', 'proxy')).map(([c, how]): ThrownCase => {
    if (how === 'none') return c;
    if (how === 'proxy') {
      const trap = (): never => {
        throw new Error('hostile proxy');
      };
      const value = new Proxy({}, { get: trap, has: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, getPrototypeOf: trap });
      return { value, secrets: c.secrets, snapshot: () => 'proxy' };
    }
    const outer: Record<string, unknown> = new Error('handler failed', { cause: c.value }) as unknown as Record<string, unknown>;
    if (how === 'cycle') (c.value as Record<string, unknown>)['cause'] = outer;
    let top: unknown = outer;
    if (how === 'deep') for (let i = 0; i < 20; i++) top = new Error(`level ${i}`, { cause: top });
    return { value: top, secrets: c.secrets, snapshot: () => describeValue(top) };
  });

const primitive = fc.oneof(anyText, fc.integer(), fc.constant(null), fc.constant(undefined), fc.jsonValue()).map(
  (value): ThrownCase => ({ value, secrets: [], snapshot: () => describeValue(value) }),
);

export const thrownError: fc.Arbitrary<ThrownCase> = fc.oneof(
  { weight: 4, arbitrary: wrapped(restError) },
  { weight: 2, arbitrary: wrapped(identityError) },
  { weight: 2, arbitrary: wrapped(keyVaultErrorLike) },
  { weight: 1, arbitrary: primitive },
);

function secretsOf(token: string): string[] {
  const signature = token.split('.')[2] ?? '';
  return [token, ...(signature.length >= 16 ? [signature] : [])];
}
