import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ClaimsCache,
  decodeAuthorization,
  diagnose,
  isVaultHost,
  parseChallenge,
  parseErrorBody,
  parseNetworkInfo,
  parseRetryAfter,
  parseVaultUrl,
  redactUrl,
} from '../src/index.js';
import type { CallFacts } from '../src/index.js';
import { BODIES, CAE_CHALLENGE, CHALLENGE, SDK_USER_AGENT } from './helpers/texts.js';

const RUNS = { numRuns: 300 };
/** Arbitrary strings biased towards the shapes the parsers look for. */
const text = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constantFrom(...Object.values(BODIES), CHALLENGE, CAE_CHALLENGE, '{', '{"error":', '{"error":null}', '<html>', 'Bearer', 'PoP x.y.z'),
  fc.tuple(fc.constantFrom(...Object.values(BODIES), CHALLENGE), fc.nat(400)).map(([s, n]) => s.slice(0, n)),
  fc.json(),
);
const anything = fc.oneof(text, fc.anything(), fc.constant(undefined), fc.constant(null));
const url = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.tuple(fc.constantFrom('myvault.vault.azure.net', 'h.managedhsm.azure.cn', 'v.vault.usgovcloudapi.net'), fc.webPath(), fc.webQueryParameters())
    .map(([h, p, q]) => `https://${h}${p}?${q}`),
  text,
);
const headerBag = fc.dictionary(
  fc.constantFrom('www-authenticate', 'retry-after', 'retry-after-ms', 'x-ms-retry-after-ms', 'x-ms-keyvault-network-info', 'x'),
  fc.oneof(text, fc.date({ noInvalidDate: true }).map((d) => d.toUTCString())),
);
const claims = fc.oneof(
  text.map((t) => decodeAuthorization(t)),
  fc.record({ present: fc.boolean(), format: fc.constantFrom('jwt', 'opaque'), aud: text, tid: text, iss: text, exp: fc.double(), nbf: fc.integer() }, { requiredKeys: [] }),
  fc.anything(),
);

describe('no parser ever throws and outputs stay bounded', () => {
  it('decodeAuthorization and ClaimsCache', () => {
    const cache = new ClaimsCache(16);
    fc.assert(
      fc.property(anything, (v) => {
        const c = decodeAuthorization(v as string);
        expect(typeof c.present).toBe('boolean');
        expect(JSON.stringify(c).length).toBeLessThan(2048);
        expect(cache.get(v as string)).toEqual(c);
        expect(cache.size).toBeLessThanOrEqual(16);
      }),
      RUNS,
    );
  });

  it('parseChallenge, parseErrorBody, parseNetworkInfo, parseRetryAfter', () => {
    fc.assert(
      fc.property(anything, headerBag, (v, headers) => {
        const ch = parseChallenge(v as string);
        if (ch) expect(JSON.stringify(ch).length).toBeLessThan(8192);
        const body = parseErrorBody(v as string);
        if (body) expect(JSON.stringify(body).length).toBeLessThan(8192);
        expect(JSON.stringify(parseNetworkInfo(v as string)).length).toBeLessThan(1024);
        const ms = parseRetryAfter(headers);
        if (ms !== undefined) expect(ms).toBeGreaterThanOrEqual(0);
        expect(parseRetryAfter(v as Record<string, string>)).toSatisfy((x) => x === undefined || typeof x === 'number');
      }),
      RUNS,
    );
  });

  it('parseVaultUrl, isVaultHost and redactUrl', () => {
    fc.assert(
      fc.property(url, fc.oneof(text, fc.constantFrom('GET', 'PUT', 'POST')), fc.array(text, { maxLength: 3 }), (u, method, extraHosts) => {
        const e = parseVaultUrl(u, method, { extraHosts });
        if (e) {
          expect(e.operation).toMatch(/^[a-z_]+\.[a-z]+$/);
          expect(JSON.stringify(e).length).toBeLessThan(4096);
        }
        expect(typeof isVaultHost(u, extraHosts)).toBe('boolean');
        const r = redactUrl(u, { recordObjectNames: false });
        expect(typeof r).toBe('string');
        if (r) expect(r).not.toMatch(/[?&](?!api-version=)[^=&]*=/);
      }),
      RUNS,
    );
  });

  it('diagnose: total, one sentence, bounded', () => {
    const facts = fc.record(
      {
        status: fc.oneof(fc.constantFrom(200, 400, 401, 403, 404, 409, 429, 500, 0), fc.integer(), fc.double()),
        endpoint: fc.oneof(url.map((u) => parseVaultUrl(u, 'GET')), fc.anything()),
        claims,
        userAgent: fc.oneof(text, fc.constant(SDK_USER_AGENT)),
        headers: fc.oneof(headerBag, fc.anything()),
        body: anything,
        sentAt: fc.oneof(fc.double(), fc.integer()),
        clockSkewS: fc.double(),
        limit: fc.anything(),
      },
      { requiredKeys: ['status'] },
    );
    fc.assert(
      fc.property(facts, (f) => {
        const d = diagnose(f as CallFacts);
        expect(['ok', 'challenge', 'unauthenticated', 'forbidden', 'throttled', 'not_found', 'conflict', 'error']).toContain(d.outcome);
        expect(typeof d.retryable).toBe('boolean');
        if (d.hint !== undefined) {
          expect(d.hint).not.toMatch(/[\r\n]/);
          expect(d.hint.length).toBeLessThan(1200);
        }
      }),
      { numRuns: 500 },
    );
    expect(diagnose(null as unknown as CallFacts)).toEqual({ outcome: 'error', retryable: true });
  });

  it('hints print exp as the same UTC instant Date does', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253_402_300_799 }), (exp) => {
        const d = diagnose({ status: 401, claims: { present: true, format: 'jwt', exp }, sentAt: 253_402_300_799_000 });
        expect(d.hint).toContain(`expired at ${new Date(exp * 1000).toISOString().replace('.000Z', 'Z')},`);
      }),
      { numRuns: 500 },
    );
  });
});
