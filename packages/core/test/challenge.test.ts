import { describe, expect, it } from 'vitest';
import { parseChallenge } from '../src/index.js';
import { TENANT } from './helpers/tokens.js';

describe('parseChallenge', () => {
  it('parses the challenge Key Vault sends to a token-less request', () => {
    expect(parseChallenge(`Bearer authorization="https://login.windows.net/${TENANT}", resource="https://vault.azure.net"`)).toEqual({
      scheme: 'Bearer', authorization: `https://login.windows.net/${TENANT}`, tenant: TENANT, resource: 'https://vault.azure.net',
    });
  });

  it('accepts authorization_uri and scope (resource from the scope)', () => {
    expect(
      parseChallenge(`Bearer authorization_uri="https://login.microsoftonline.com/${TENANT}/oauth2/authorize", scope="https://vault.azure.cn/.default"`),
    ).toEqual({
      scheme: 'Bearer', authorization: `https://login.microsoftonline.com/${TENANT}/oauth2/authorize`, tenant: TENANT,
      scope: 'https://vault.azure.cn/.default', resource: 'https://vault.azure.cn',
    });
  });

  it('parses a CAE claims challenge', () => {
    const claims = 'eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTYwMzc0MjgwMCJ9fX0=';
    expect(
      parseChallenge(`Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="${claims}"`),
    ).toMatchObject({ scheme: 'Bearer', tenant: 'common', error: 'insufficient_claims', claims });
  });

  it('prefers the Bearer challenge among several, and handles unquoted values and odd casing', () => {
    const c = parseChallenge(`PoP nonce="abc", bearer Authorization=https://login.windows.net/${TENANT} , RESOURCE="https://vault.azure.net"`);
    expect(c).toEqual({ scheme: 'Bearer', authorization: `https://login.windows.net/${TENANT}`, tenant: TENANT, resource: 'https://vault.azure.net' });
    expect(parseChallenge('PoP nonce="abc"')).toEqual({ scheme: 'PoP' });
  });

  it('unescapes quoted pairs and keeps the first value of a repeated parameter', () => {
    expect(parseChallenge('Bearer resource="https://a\\"b", resource="https://second"')?.resource).toBe('https://a"b');
  });

  it.each([undefined, null, '', '   ', ',,,', '=', '"'])('answers null for %j', (v) => {
    expect(parseChallenge(v as string)).toBeNull();
  });

  it('is bounded on huge and unterminated input', () => {
    const c = parseChallenge(`Bearer resource="${'r'.repeat(100_000)}`);
    expect(c?.resource?.length).toBe(512);
    const claims = parseChallenge(`Bearer claims="${'c'.repeat(10_000)}"`);
    expect(claims?.claims?.length).toBe(4096);
  });
});
