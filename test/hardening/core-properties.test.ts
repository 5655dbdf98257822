/**
 * Properties of every core parser, `diagnose` and `toHttpAnswer` over
 * arbitrary input (fast-check): they never throw, their outputs stay bounded
 * whatever the input size, they never hand back token text, and they leave
 * their inputs as they found them. Bounds asserted here are what a span
 * attribute or a problem body may cost at most; figures print to stdout.
 */
import { inspect } from 'node:util';
import {
  ClaimsCache,
  KeyVaultError,
  ThrottleMeter,
  decodeAuthorization,
  diagnose,
  isVaultHost,
  limitFor,
  parseChallenge,
  parseErrorBody,
  parseNetworkInfo,
  parseRetryAfter,
  parseVaultUrl,
  redactUrl,
  tenantFromAuthority,
  toHttpAnswer,
  type CallFacts,
} from '@kvtrace/core';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  anyText,
  authorizationValue,
  challengeValue,
  errorBody,
  headerBag,
  jwtToken,
  statusCode,
  strings,
  vaultishUrl,
} from './support/arbitraries.js';
import { thrownError } from './support/thrown-errors.js';

const RUNS = { numRuns: 400 };
/** Longest string any parser may return (challenge claims are the longest kept field). */
const MAX_FIELD = 8192;
const MAX_HINT = 1200;
/** JSON characters of a problem body: two 1,024-character texts, short fields, escapes. */
const MAX_PROBLEM_CHARS = 16_384;
const maxSeen: Record<string, number> = {};

function longest(label: string, value: unknown): number {
  const n = Math.max(0, ...strings(value).map((s) => s.length));
  maxSeen[label] = Math.max(maxSeen[label] ?? 0, n);
  return n;
}

describe('core parsers', () => {
  test('parseVaultUrl / isVaultHost / redactUrl: total, bounded, only api-version left in the query', () => {
    fc.assert(
      fc.property(vaultishUrl, fc.oneof(fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'PATCH'), anyText), (url, method) => {
        const endpoint = parseVaultUrl(url, method);
        expect(endpoint === null || typeof endpoint.vaultName === 'string').toBe(true);
        expect(longest('parseVaultUrl', endpoint)).toBeLessThanOrEqual(MAX_FIELD);
        expect(typeof isVaultHost(url)).toBe('boolean');
        for (const recordObjectNames of [true, false]) {
          const redacted = redactUrl(url, { recordObjectNames });
          expect(redacted.length).toBeLessThanOrEqual(MAX_FIELD + 64);
          const query = redacted.includes('?') ? redacted.slice(redacted.indexOf('?') + 1) : '';
          expect(query === '' || /^api-version=[^&]*$/.test(query), redacted).toBe(true);
        }
      }),
      RUNS,
    );
  });

  test('decodeAuthorization / ClaimsCache: total, bounded, never the signature or the token', () => {
    const cache = new ClaimsCache(50);
    fc.assert(
      fc.property(authorizationValue, (value) => {
        const claims = decodeAuthorization(value);
        const cached = cache.get(value);
        expect(cached).toEqual(claims);
        expect(typeof claims.present).toBe('boolean');
        expect(longest('claims', claims)).toBeLessThanOrEqual(256);
        const token = value?.split(' ').at(-1) ?? '';
        const signature = token.split('.')[2] ?? '';
        const text = JSON.stringify(claims);
        if (signature.length >= 16) expect(text).not.toContain(signature);
        if (token.length >= 16) expect(text).not.toContain(token);
      }),
      RUNS,
    );
    expect(cache.size).toBeLessThanOrEqual(50);
  });

  test('parseChallenge / tenantFromAuthority: total and bounded', () => {
    fc.assert(
      fc.property(challengeValue, (value) => {
        const challenge = parseChallenge(value);
        expect(longest('challenge', challenge)).toBeLessThanOrEqual(4096);
        if (challenge?.authorization !== undefined) tenantFromAuthority(challenge.authorization);
        expect(longest('tenant', tenantFromAuthority(value))).toBeLessThanOrEqual(MAX_FIELD);
      }),
      RUNS,
    );
  });

  test('parseErrorBody: total, message <= 1024 chars, every other field <= 256', () => {
    fc.assert(
      fc.property(errorBody, (body) => {
        const parsed = parseErrorBody(body);
        if (parsed === null) return;
        const { message, ...rest } = parsed;
        expect((message ?? '').length).toBeLessThanOrEqual(1024);
        expect(longest('errorBody', rest)).toBeLessThanOrEqual(256);
      }),
      RUNS,
    );
  });

  test('parseNetworkInfo / parseRetryAfter: total, finite non-negative retry, header bag unchanged', () => {
    fc.assert(
      fc.property(headerBag, fc.integer({ min: 0, max: 4_102_444_800_000 }), (headers, now) => {
        const before = structuredClone(headers);
        const info = parseNetworkInfo(headers['x-ms-keyvault-network-info']);
        expect(longest('networkInfo', info)).toBeLessThanOrEqual(MAX_FIELD);
        const ms = parseRetryAfter(headers, now);
        if (ms !== undefined) {
          expect(Number.isFinite(ms)).toBe(true);
          expect(ms).toBeGreaterThanOrEqual(0);
        }
        expect(headers).toEqual(before);
      }),
      RUNS,
    );
  });

  test('limitFor / ThrottleMeter: total for any parsed endpoint; utilization finite in [0, 1+]', () => {
    const meter = new ThrottleMeter();
    fc.assert(
      fc.property(vaultishUrl, anyText, (url, method) => {
        const endpoint = parseVaultUrl(url, method);
        if (endpoint === null) return;
        // Managed HSM crypto operations have no limit (0): DESIGN.md's table.
        const { limit } = limitFor(endpoint);
        expect(Number.isFinite(limit) && limit >= 0).toBe(true);
        const r = meter.record(endpoint);
        expect(Number.isFinite(r.utilization)).toBe(true);
        expect(r.utilization).toBeGreaterThanOrEqual(0);
      }),
      RUNS,
    );
  });
});

describe('KeyVaultError.fromResponse (the fetch user\'s parser of a failed response)', () => {
  /** Header values a fetch Response accepts (ByteString, no CR/LF). */
  const byteHeaders = headerBag.map((bag) =>
    Object.fromEntries(Object.entries(bag).filter(([k, v]) => /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k) && /^[\t\x20-\x7e\x80-\xff]*$/.test(v))),
  );
  test('total over arbitrary responses; the error never carries the token, its signature or unbounded text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 400, max: 599 }), byteHeaders, errorBody, jwtToken, vaultishUrl, async (status, headers, body, token, url) => {
        const response = new Response(body ?? null, { status, headers });
        const err = await KeyVaultError.fromResponse(response, { url, method: 'GET', authorization: `Bearer ${token}` });
        expect(err).toBeInstanceOf(KeyVaultError);
        expect(err.status).toBe(status);
        const shown = `${inspect(err, { depth: 8 })} ${JSON.stringify(err)} ${err.message} ${err.stack}`;
        const signature = token.split('.')[2]!;
        expect(shown).not.toContain(signature);
        expect(shown).not.toContain(token);
        maxSeen.keyVaultErrorMessage = Math.max(maxSeen.keyVaultErrorMessage ?? 0, err.message.length);
        expect(err.message.length).toBeLessThanOrEqual(4096);
      }),
      { numRuns: 300 },
    );
  });
});

const callFacts: fc.Arbitrary<CallFacts> = fc.record(
  {
    status: statusCode,
    endpoint: vaultishUrl.map((u) => parseVaultUrl(u, 'GET')),
    claims: authorizationValue.map((a) => decodeAuthorization(a)),
    userAgent: fc.oneof(fc.constant('azsdk-js-keyvault-secrets/4.11.2 core-rest-pipeline/1.22.0 Node/20'), anyText),
    headers: headerBag,
    body: errorBody,
    sentAt: fc.oneof(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.constantFrom(Number.NaN, -1)),
    clockSkewS: fc.oneof(fc.nat(), fc.double()),
  },
  { requiredKeys: ['status'] },
);

describe('diagnose', () => {
  test('total; hint one bounded line; outcome and cause from the contract; facts unchanged', () => {
    const outcomes = new Set(['ok', 'challenge', 'unauthenticated', 'forbidden', 'throttled', 'not_found', 'conflict', 'error']);
    fc.assert(
      fc.property(callFacts, (facts) => {
        const before = structuredClone(facts);
        const d = diagnose(facts);
        expect(outcomes.has(d.outcome)).toBe(true);
        expect(typeof d.retryable).toBe('boolean');
        const hint = d.hint ?? '';
        maxSeen.hint = Math.max(maxSeen.hint ?? 0, hint.length);
        expect(hint.length).toBeLessThanOrEqual(MAX_HINT);
        expect(hint).not.toMatch(/[\r\n]/);
        if (d.retryAfterMs !== undefined) expect(Number.isFinite(d.retryAfterMs) && d.retryAfterMs >= 0).toBe(true);
        expect(longest('diagnosis', d)).toBeLessThanOrEqual(MAX_FIELD);
        expect(facts).toEqual(before);
      }),
      { numRuns: 1000 },
    );
  });

  test('a hint never carries the token or its signature, whatever the token claims hold', () => {
    fc.assert(
      fc.property(jwtToken, fc.constantFrom(401, 403, 429), headerBag, errorBody, (token, status, headers, body) => {
        const d = diagnose({ status, claims: decodeAuthorization(`Bearer ${token}`), headers, body, endpoint: parseVaultUrl('https://v.vault.azure.net/secrets/s?api-version=7.5') });
        const signature = token.split('.')[2]!;
        expect(JSON.stringify(d)).not.toContain(signature);
        expect(JSON.stringify(d)).not.toContain(token);
      }),
      RUNS,
    );
  });
});

describe('toHttpAnswer', () => {
  test('total over arbitrary thrown values; a status 400-599; bounded problem body; no token; input unchanged', () => {
    fc.assert(
      fc.property(thrownError, fc.boolean(), fc.option(fc.nat(100), { nil: undefined }), (thrown, expose, backoffS) => {
        const snapshot = thrown.snapshot();
        const answer = toHttpAnswer(thrown.value, { expose, backoffS, traceId: '0af7651916cd43dd8448eb211c80319c' });
        if (answer !== null) {
          expect(answer.status).toBeGreaterThanOrEqual(400);
          expect(answer.status).toBeLessThanOrEqual(599);
          expect(Object.keys(answer.headers).every((h) => h === 'content-type' || h === 'retry-after')).toBe(true);
          if (answer.headers['retry-after'] !== undefined) expect(answer.headers['retry-after']).toMatch(/^\d+$/);
          // Every string is cut (message and hint at 1,024 characters plus an ellipsis), so the body is bounded.
          const text = JSON.stringify(answer.body);
          for (const s of strings(answer.body)) expect(s.length).toBeLessThanOrEqual(1030);
          for (const secret of thrown.secrets) expect(text).not.toContain(secret);
          maxSeen.problem = Math.max(maxSeen.problem ?? 0, text.length);
          expect(text.length).toBeLessThanOrEqual(MAX_PROBLEM_CHARS);
          for (const secret of thrown.secrets) expect(text + JSON.stringify(answer.headers)).not.toContain(secret);
        }
        expect(thrown.snapshot()).toEqual(snapshot);
      }),
      { numRuns: 1000 },
    );
    console.log(`[hardening] core property maxima (chars): ${JSON.stringify(maxSeen)}`);
  });

  // Found by this suite (fixed upstream): with `expose: true` an opaque bearer token that a proxy echoed
  // into RestError.message reached body.vault.message, as only JWT-shaped text was scrubbed.
  test('expose: an opaque token echoed in the vault message is scrubbed', () => {
    const token = `opaque-${'Z'.repeat(40)}`;
    const err = Object.assign(new Error(`proxy said: Authorization: Bearer ${token} rejected`), {
      name: 'RestError',
      statusCode: 403,
      request: { url: 'https://myvault.vault.azure.net/secrets/db?api-version=7.5', method: 'GET', headers: { authorization: `Bearer ${token}` } },
      response: { status: 403, headers: {}, bodyAsText: '{}' },
    });
    const answer = toHttpAnswer(err, { expose: true });
    expect(answer?.body.vault?.message).toContain('proxy said');
    expect(JSON.stringify(answer?.body)).not.toContain(token);
  });

  // Found by this suite (fixed in d7d2c5e): with `expose: true` the vault message, x-ms-request-id and
  // RestError.code were copied unbounded, so a gateway's 100 KB HTML error page became a 100 KB problem body.
  test.each(['message', 'request id', 'code'])('expose: a 100 KB vault %s stays bounded in the problem body', (field) => {
    const big = `<html>${'x'.repeat(100_000)}</html>`;
    const err = Object.assign(new Error(field === 'message' ? big : 'short'), {
      name: 'RestError',
      code: field === 'code' ? big : 'Forbidden',
      statusCode: field === 'code' ? undefined : 403,
      request: { url: 'https://myvault.vault.azure.net/secrets/db?api-version=7.5', method: 'GET', headers: {} },
      response: { status: 403, headers: field === 'message' ? {} : { 'x-ms-request-id': big }, bodyAsText: field === 'message' ? big : '{}' },
    });
    const answer = toHttpAnswer(err, { expose: true });
    expect(answer?.status).toBe(field === 'code' ? 503 : 502);
    expect(JSON.stringify(answer?.body).length).toBeLessThanOrEqual(4096);
  });
});
