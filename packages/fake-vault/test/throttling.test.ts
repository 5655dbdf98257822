import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SecretClient } from '@azure/keyvault-secrets';
import { CryptographyClient, KeyClient } from '@azure/keyvault-keys';
import type { KeyVaultKey } from '@azure/keyvault-keys';
import { LIMITS, start } from '../src/index.js';
import type { FakeVault } from '../src/index.js';
import { secretClient, thrown, vaultFetch, json } from './helpers.js';

let vault: FakeVault;
let client: SecretClient;
let token: string;
let rsa3072: KeyVaultKey;

beforeAll(async () => {
  vault = await start({ vaultName: 'limitvault' });
  client = await secretClient(vault);
  await client.setSecret('hot', 'v');
  rsa3072 = await new KeyClient(vault.vaultUrl, await vault.credential(), vault.clientOptions()).createRsaKey('big', { keySize: 3072 });
  token = await vault.mintToken();
});
afterAll(() => vault.close());
afterEach(() => vault.setThrottling(null));

const get = () => vaultFetch(vault, '/secrets/hot?api-version=2025-07-01', { token });
const set = () => vaultFetch(vault, '/secrets/hot?api-version=2025-07-01', { token, method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"value":"x"}' });

describe('throttling by the service limits, scaled', () => {
  it('admits exactly the scaled limit in the window, then 429 with the real body, and releases after the window', async () => {
    expect(LIMITS.other).toBe(4000);
    // "all other secret ops": 4000 -> 20. The window is shortened (not 10 s) to see the release, but
    // kept long enough that 22 requests on a loaded machine stay inside it.
    vault.setThrottling({ scale: 20 / 4000, windowMs: 4000 });
    const t0 = Date.now();
    const statuses: number[] = [];
    let lastAdmitted = 0;
    for (let i = 0; i < 21; i++) {
      statuses.push((await get()).status);
      if (i === 19) lastAdmitted = Date.now();
    }
    expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(statuses[20]).toBe(429);
    const res = await get();
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(4);
    expect(Date.now() - t0).toBeLessThan(4000); // otherwise the window slid during the burst and the counts mean nothing
    expect(await json(res)).toEqual({ error: { code: 'Throttled', message: 'Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached' } });
    // throttled requests do not count: the budget stays at exactly 1.0
    expect(vault.utilization()).toBeCloseTo(1, 9);
    // every counted request leaves the window 4 s after it was admitted
    await new Promise((r) => setTimeout(r, lastAdmitted + 4000 + 100 - Date.now()));
    expect(vault.utilization()).toBe(0);
    expect((await get()).status).toBe(200);
  });

  it('enforces the weighted sum across classes: 2 of 3 creates leave a third of the 40 reads', async () => {
    vault.setThrottling({ scale: 0.01 }); // secrets create 300 -> 3, other 4000 -> 40
    expect((await set()).status).toBe(200);
    expect((await set()).status).toBe(200);
    let admitted = 0;
    for (let i = 0; i < 20; i++) if ((await get()).status === 200) admitted++;
    expect(admitted).toBe(13); // 2/3 + 13/40 <= 1 < 2/3 + 14/40
    const res = await get();
    expect((await json(res)).error.message).toBe('Request was not processed because too many requests were received. Reason: VaultOperationLimitReached');
  });

  it('charges crypto operations on a 3072-bit key to the RSA-3072 class (1000 -> 10)', async () => {
    vault.setThrottling({ scale: 0.01, retryAfter: false });
    const c = new CryptographyClient(rsa3072.id!, await vault.credential(), vault.clientOptions());
    const digest = Buffer.alloc(32, 7);
    await c.sign('RS256', digest); // the first call also reads the key (class "other")
    for (let i = 0; i < 8; i++) await c.sign('RS256', digest);
    // 1 key read at 1/40 + 9 signs at 1/10 = 0.925; a tenth sign would make 1.025 > 1
    const err = await thrown(() => c.sign('RS256', digest));
    expect(err.statusCode).toBe(429);
    expect(err.code).toBe('Throttled');
    expect(err.response.headers.get('retry-after')).toBeUndefined();
  });

  it('the SDK waits out Retry-After and then succeeds', async () => {
    vault.setThrottling({ scale: 5 / 4000, windowMs: 3000 });
    for (let i = 0; i < 5; i++) expect((await get()).status).toBe(200);
    const before = vault.requests.length;
    expect((await client.getSecret('hot')).value).toBe('x');
    const statuses = vault.requests.slice(before).map((r) => r.status);
    expect(statuses).toContain(429);
    expect(statuses.at(-1)).toBe(200);
  });
});
