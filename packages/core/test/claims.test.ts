import { describe, expect, it } from 'vitest';
import { ClaimsCache, decodeAuthorization } from '../src/index.js';
import { APP_ID, OBJECT_ID, TENANT, mintPop, mintToken, signatureOf } from './helpers/tokens.js';

const b64 = (s: string) => Buffer.from(s).toString('base64url');

describe('decodeAuthorization', () => {
  it('decodes the DESIGN.md claims of a Bearer JWT, never the token text', async () => {
    const token = await mintToken({}, 1_800_000_000);
    const claims = decodeAuthorization(`Bearer ${token}`);
    expect(claims).toEqual({
      present: true, scheme: 'Bearer', format: 'jwt', aud: 'https://vault.azure.net', iss: `https://sts.windows.net/${TENANT}/`,
      tid: TENANT, appid: APP_ID, oid: OBJECT_ID, idtyp: 'app', iat: 1_799_999_940, nbf: 1_799_999_940, exp: 1_800_003_600,
    });
    const text = JSON.stringify(claims);
    expect(text).not.toContain(signatureOf(token));
    expect(text).not.toContain(token.split('.')[1]);
    expect(Object.isFrozen(claims)).toBe(true);
  });

  it('takes azp when appid is absent (v2 tokens), and drops unknown claims', async () => {
    const claims = decodeAuthorization(`Bearer ${await mintToken({ appid: undefined, azp: 'v2-app', ver: '2.0', email: 'x@y' })}`);
    expect(claims.appid).toBe('v2-app');
    expect(claims).not.toHaveProperty('email');
    expect(claims).not.toHaveProperty('ver');
  });

  it.each([
    [undefined, { present: false }],
    [null, { present: false }],
    ['', { present: false }],
    ['   ', { present: false }],
    ['Bearer', { present: true, scheme: 'Bearer' }],
    ['pop', { present: true, scheme: 'PoP' }],
  ])('absent or empty %j', (value, expected) => {
    expect(decodeAuthorization(value as string | null | undefined)).toEqual(expected);
  });

  it.each([
    ['opaque token', 'Bearer EwBwA8l6BAAURSN/FHlDW5xN74t6GIOhNtRnb3Zkm7EAAQ=='],
    ['two parts', `Bearer ${b64('{"alg":"RS256"}')}.${b64('{"aud":"x"}')}`],
    ['bad base64', 'Bearer eyJhbGciOiJSUzI1NiJ9.@@@not-base64@@@.c2ln'],
    ['payload not JSON', `Bearer ${b64('{"alg":"RS256"}')}.${b64('this is not json')}.c2ln`],
    ['payload a JSON array', `Bearer ${b64('{"alg":"RS256"}')}.${b64('[1,2]')}.c2ln`],
    ['header not JSON', `Bearer ${b64('nope')}.${b64('{"aud":"x"}')}.c2ln`],
    ['header without alg', `Bearer ${b64('{"typ":"JWT"}')}.${b64('{"aud":"x"}')}.c2ln`],
    ['five parts (JWE)', 'Bearer a.b.c.d.e'],
  ])('%s yields format opaque', (_name, value) => {
    expect(decodeAuthorization(value)).toEqual({ present: true, scheme: 'Bearer', format: 'opaque' });
  });

  it('ignores claims of the wrong type', () => {
    const payload = { aud: 42, iss: ['a'], tid: { x: 1 }, appid: null, oid: true, exp: '1800000000', nbf: 1.5e9 + 0.7, iat: Number.NaN };
    const claims = decodeAuthorization(`Bearer ${b64('{"alg":"none"}')}.${b64(JSON.stringify(payload))}.`);
    expect(claims).toEqual({ present: true, scheme: 'Bearer', format: 'jwt', iss: 'a', nbf: 1_500_000_000 });
  });

  it('takes the first string of an aud array and bounds claim length', () => {
    const claims = decodeAuthorization(`Bearer ${b64('{"alg":"none"}')}.${b64(JSON.stringify({ aud: [7, 'https://vault.azure.net'], oid: 'o'.repeat(5000) }))}.`);
    expect(claims.aud).toBe('https://vault.azure.net');
    expect(claims.oid?.length).toBe(256);
  });

  it('is total on a 64 KB header and keeps no part of it', () => {
    const huge = `Bearer ${'A'.repeat(64 * 1024)}.${'B'.repeat(10)}.${'C'.repeat(10)}`;
    const claims = decodeAuthorization(huge);
    expect(claims).toEqual({ present: true, scheme: 'Bearer', format: 'opaque' });
  });

  it('normalises odd casing and spacing of the scheme', async () => {
    const token = await mintToken();
    for (const scheme of ['bearer', 'BEARER', 'BeArEr']) {
      expect(decodeAuthorization(`  ${scheme}   ${token}  `)).toMatchObject({ scheme: 'Bearer', format: 'jwt', oid: OBJECT_ID });
    }
    expect(decodeAuthorization(`bearer\t${token}`).scheme).toBe('Bearer');
    expect(decodeAuthorization(`Basic dXNlcjpwYXNz`)).toEqual({ present: true, scheme: 'Basic', format: 'opaque' });
  });

  it('decodes a bare JWT without scheme, and never reports a token-like word as scheme', async () => {
    const token = await mintToken();
    expect(decodeAuthorization(token)).toMatchObject({ present: true, format: 'jwt', oid: OBJECT_ID });
    expect(decodeAuthorization(token)).not.toHaveProperty('scheme');
    const weird = decodeAuthorization(`${'x'.repeat(40)} value`);
    expect(weird.scheme).toBeUndefined();
  });

  it('decodes the inner access token of a PoP token', async () => {
    const at = await mintToken({ oid: 'pop-user-oid', aud: 'https://vault.azure.net' });
    const pop = await mintPop(at);
    const claims = decodeAuthorization(`PoP ${pop}`);
    expect(claims).toMatchObject({ present: true, scheme: 'PoP', format: 'jwt', oid: 'pop-user-oid', aud: 'https://vault.azure.net' });
    const text = JSON.stringify(claims);
    expect(text).not.toContain(signatureOf(pop));
    expect(text).not.toContain(signatureOf(at));
  });

  it('falls back on the outer claims of a PoP token whose at is not a JWT', async () => {
    const pop = await mintPop('opaque-access-token');
    expect(decodeAuthorization(`pop ${pop}`)).toMatchObject({ scheme: 'PoP', format: 'jwt' });
  });
});

describe('ClaimsCache', () => {
  it('decodes a value once and answers the same frozen object after', async () => {
    const cache = new ClaimsCache(10);
    const value = `Bearer ${await mintToken()}`;
    const first = cache.get(value);
    expect(cache.get(value)).toBe(first);
    expect(cache.size).toBe(1);
    expect(cache.get(undefined)).toEqual({ present: false });
    expect(cache.size).toBe(1);
  });

  it('evicts the least recently used entry at maxEntries', () => {
    const cache = new ClaimsCache(2);
    const a = cache.get('Bearer a');
    cache.get('Bearer b');
    cache.get('Bearer a'); // a is now the most recent
    cache.get('Bearer c'); // evicts b
    expect(cache.size).toBe(2);
    expect(cache.get('Bearer a')).toBe(a);
    const b2 = cache.get('Bearer b');
    expect(cache.size).toBe(2);
    expect(b2).toEqual({ present: true, scheme: 'Bearer', format: 'opaque' });
  });

  it('stays bounded under many distinct and oversized values', () => {
    const cache = new ClaimsCache(100);
    for (let i = 0; i < 1000; i++) cache.get(`Bearer token-${i}`);
    expect(cache.size).toBe(100);
    cache.clear();
    cache.get(`Bearer ${'x'.repeat(20_000)}`);
    expect(cache.size).toBe(0);
  });

  it('caches nothing with maxEntries 0 and rejects bad sizes', () => {
    const cache = new ClaimsCache(0);
    cache.get('Bearer a');
    expect(cache.size).toBe(0);
    expect(() => new ClaimsCache(-1)).toThrow(TypeError);
    expect(() => new ClaimsCache(1.5)).toThrow(/maxEntries/);
  });
});
