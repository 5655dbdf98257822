import { describe, expect, it } from 'vitest';
import { isValidAudience, parseErrorBody, parseNetworkInfo, parseRetryAfter } from '../src/index.js';
import { BODIES } from './helpers/texts.js';
import { APP_ID, OBJECT_ID, OTHER_TENANT, TENANT } from './helpers/tokens.js';

describe('parseErrorBody', () => {
  it.each([
    ['noToken', { code: 'Unauthorized', akvCode: 'AKV10000' }],
    ['audience', { akvCode: 'AKV10022', expected: 'https://vault.azure.net', found: 'https://management.azure.com/' }],
    ['issuer', { akvCode: 'AKV10032', expected: `https://sts.windows.net/${TENANT}/`, found: `https://sts.windows.net/${OTHER_TENANT}/` }],
    ['accessPolicy', { innerCode: 'AccessDenied', callerAppId: APP_ID, callerOid: OBJECT_ID, permission: 'secrets get' }],
    ['rbac', { innerCode: 'ForbiddenByRbac', action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action', decisionReason: 'DeniedWithNoValidRBAC', callerOid: OBJECT_ID }],
    ['firewall', { innerCode: 'ForbiddenByFirewall', clientAddress: '203.0.113.7', callerAppId: APP_ID }],
    ['throttled', { code: 'Throttled', throttleReason: 'VaultRequestTypeLimitReached' }],
    ['throttledOperation', { throttleReason: 'VaultOperationLimitReached' }],
  ] as const)('%s reveals what its message says', (key, expected) => {
    expect(parseErrorBody(BODIES[key])).toMatchObject(expected);
  });

  it('does not take "(not found)" in an RBAC message for a found value', () => {
    expect(parseErrorBody(BODIES.rbac)).not.toHaveProperty('found');
  });

  it('reads IPv6 client addresses', () => {
    const body = JSON.stringify({ error: { code: 'Forbidden', message: 'Client address: 2001:db8::7 from unknown subnet' } });
    expect(parseErrorBody(body)?.clientAddress).toBe('2001:db8::7');
  });

  it('tolerates truncated JSON, keeping what arrived', () => {
    const cut = BODIES.firewall.slice(0, BODIES.firewall.indexOf('from unknown'));
    expect(parseErrorBody(cut)).toMatchObject({ code: 'Forbidden', clientAddress: '203.0.113.7' });
  });

  it('takes the title of an HTML page and the text of a plain body', () => {
    expect(parseErrorBody('<html><head><title>502 Bad Gateway</title></head><body>...</body></html>')).toEqual({ message: '502 Bad Gateway' });
    expect(parseErrorBody('upstream connect error')).toEqual({ message: 'upstream connect error' });
  });

  it('answers null for empty bodies and non-strings', () => {
    for (const b of [undefined, null, '', '  \r\n', 42 as unknown as string]) expect(parseErrorBody(b)).toBeNull();
  });

  it('ignores wrong types and bounds huge bodies', () => {
    expect(parseErrorBody('{"error":{"code":5,"message":["x"],"innererror":"AccessDenied"}}')).toEqual({});
    const huge = JSON.stringify({ error: { code: 'Forbidden', message: `Client address: 10.0.0.1 ${'x'.repeat(1_000_000)}` } });
    const parsed = parseErrorBody(huge);
    expect(parsed?.code).toBe('Forbidden');
    expect(parsed?.message?.length).toBeLessThanOrEqual(1024);
    expect(parsed?.clientAddress).toBe('10.0.0.1');
  });
});

describe('parseNetworkInfo', () => {
  it.each([
    ['conn_type=Ipv4;addr=1.2.3.4;act_addr_fam=InterNetwork;', { connectionType: 'Ipv4', clientAddress: '1.2.3.4' }],
    ['conn_type=PrivateLink;private_endpoint=/subscriptions/s/pe1;addr=10.1.2.3;', { connectionType: 'PrivateLink', privateEndpoint: '/subscriptions/s/pe1', clientAddress: '10.1.2.3' }],
    ['CONN_TYPE = Ipv6 ; addr=2001:db8::1', { connectionType: 'Ipv6', clientAddress: '2001:db8::1' }],
    ['', {}],
    ['garbage', {}],
    [';;=;addr=;', {}],
  ])('%j', (value, expected) => {
    expect(parseNetworkInfo(value)).toEqual(expected);
  });
  it('is empty for absent values', () => {
    expect(parseNetworkInfo(undefined)).toEqual({});
    expect(parseNetworkInfo(null)).toEqual({});
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-23T05:00:00Z');
  it.each([
    [{ 'retry-after': '7' }, 7000],
    [{ 'retry-after': ' 0 ' }, 0],
    [{ 'retry-after-ms': '1500' }, 1500],
    [{ 'x-ms-retry-after-ms': '250.4' }, 251],
    [{ 'retry-after-ms': '100', 'retry-after': '9' }, 100],
    [{ 'retry-after': 'Mon, 23 Nov 2026 05:00:30 GMT' }, 30_000],
    [{ 'retry-after': 'Mon, 23 Nov 2026 04:00:00 GMT' }, 0],
    [{ 'retry-after': '-5' }, undefined],
    [{ 'retry-after': '1e3' }, undefined],
    [{ 'retry-after': '12abc' }, undefined],
    [{ 'retry-after': 'soon' }, undefined],
    [{ 'retry-after': '999999999' }, undefined],
    [{ 'retry-after-ms': 'x', 'retry-after': '2' }, 2000],
    [{}, undefined],
  ])('%j -> %s', (headers, expected) => {
    expect(parseRetryAfter(headers, now)).toBe(expected);
  });
  it('is undefined without headers', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe('isValidAudience (DESIGN.md "Valid audiences")', () => {
  it.each([
    ['https://vault.azure.net', 'https://vault.azure.net', true],
    ['cfa8b339-82a2-471a-a3c9-0fc0be7a4093', 'https://vault.azure.net', true],
    ['https://vault.azure.cn', 'https://vault.azure.cn', true],
    ['https://vault.usgovcloudapi.net', 'https://vault.usgovcloudapi.net', true],
    ['https://managedhsm.azure.net', 'https://managedhsm.azure.net', true],
    ['https://vault.azure.net/', 'https://vault.azure.net', false],
    ['spn:cfa8b339-82a2-471a-a3c9-0fc0be7a4093', 'https://vault.azure.net', false],
    ['https://myvault.vault.azure.net', 'https://vault.azure.net', false],
    ['https://management.azure.com/', 'https://vault.azure.net', false],
    ['https://vault.azure.net', 'https://vault.azure.cn', false],
    ['https://vault.azure.cn', undefined, true],
    ['https://vault.azure.net/', undefined, false],
    [undefined, undefined, false],
  ])('%s for %s: %s', (aud, expected, ok) => {
    expect(isValidAudience(aud, expected)).toBe(ok);
  });
});

describe('BoundedMemo (repeated challenges and bodies)', async () => {
  const { BoundedMemo } = await import('../src/memo.js');
  it('computes once per key, stays bounded, skips long keys', () => {
    let calls = 0;
    const memo = new BoundedMemo<number>(3, 10);
    const f = (k: string) => (calls++, k.length);
    expect(memo.get('a', f)).toBe(1);
    expect(memo.get('a', f)).toBe(1);
    expect(calls).toBe(1);
    for (const k of ['b', 'c', 'd', 'e']) memo.get(k, f);
    expect(calls).toBe(5);
    memo.get('a', f); // evicted when the memo started over
    expect(calls).toBe(6);
    memo.get('x'.repeat(11), f);
    memo.get('x'.repeat(11), f);
    expect(calls).toBe(8);
  });
  it('parseErrorBody answers the same frozen object for a repeated body', () => {
    const a = parseErrorBody(BODIES.rbac);
    expect(parseErrorBody(BODIES.rbac)).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });
});
