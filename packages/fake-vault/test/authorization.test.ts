import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SecretClient } from '@azure/keyvault-secrets';
import { start } from '../src/index.js';
import type { FakeVault } from '../src/index.js';
import { secretClient, thrown, vaultFetch, json } from './helpers.js';

let vault: FakeVault;
let client: SecretClient;

beforeAll(async () => {
  vault = await start({ vaultName: 'policyvault', region: 'northeurope' });
  client = await secretClient(vault);
  await client.setSecret('app-config', 'v');
});
afterAll(() => vault.close());
afterEach(() => {
  vault.setThrottle(null);
  vault.setFirewall(null);
  vault.setClientAddress(null);
});

const caller = (v: FakeVault, appid = v.clientId, oid = v.objectId) => `appid=${appid};oid=${oid};iss=https://sts.windows.net/${v.tenantId}/`;

describe('access policies', () => {
  it('403 AccessDenied naming the caller, the permission and the vault', async () => {
    const reader = vault.registerClient();
    vault.grant(reader, { secrets: ['list'] });
    const readerClient = new SecretClient(vault.vaultUrl, await vault.credential(reader), vault.clientOptions());
    const err = await thrown(() => readerClient.getSecret('app-config'));
    expect(err.name).toBe('RestError');
    expect(err.statusCode).toBe(403);
    expect(err.code).toBe('Forbidden');
    expect(err.details.error.innerError.code).toBe('AccessDenied');
    expect(err.message).toBe(
      `The user, group or application '${caller(vault, reader.clientId, reader.objectId)}' does not have secrets get permission on key vault 'policyvault;location=northeurope'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`,
    );
    // list is granted, so listing works with the same identity
    const names: string[] = [];
    for await (const p of readerClient.listPropertiesOfSecrets()) names.push(p.name);
    expect(names).toContain('app-config');
    vault.grant(reader, { secrets: ['get'] });
    expect((await readerClient.getSecret('app-config')).value).toBe('v');
    vault.revoke(reader, { secrets: ['get'] });
    expect((await thrown(() => readerClient.getSecret('app-config'))).statusCode).toBe(403);
  });

  it('the wire body carries innererror (lower case) as the real vault sends it', async () => {
    const stranger = vault.registerClient();
    const res = await vaultFetch(vault, '/secrets/app-config?api-version=7.5', { token: await vault.mintToken({}, stranger) });
    expect(res.status).toBe(403);
    const body = await json(res);
    expect(body.error.code).toBe('Forbidden');
    expect(body.error.innererror).toEqual({ code: 'AccessDenied' });
  });
});

describe('firewall', () => {
  it('403 ForbiddenByFirewall with the apparent client address, caller and vault', async () => {
    vault.setFirewall({ allow: ['10.0.0.0/8'] });
    vault.setClientAddress('203.0.113.7');
    const err = await thrown(() => client.getSecret('app-config'));
    expect(err.statusCode).toBe(403);
    expect(err.code).toBe('Forbidden');
    expect(err.details.error.innerError.code).toBe('ForbiddenByFirewall');
    expect(err.message).toBe(
      `Client address is not authorized and caller is not a trusted service.\r\nClient address: 203.0.113.7 from unknown subnet\r\nCaller: ${caller(vault)}\r\nVault: policyvault;location=northeurope`,
    );
    expect(err.response.headers.get('x-ms-keyvault-network-info')).toBe('conn_type=Ipv4;addr=203.0.113.7;act_addr_fam=InterNetwork;');
    vault.setClientAddress('10.1.2.3');
    expect((await client.getSecret('app-config')).value).toBe('v');
  });

  it('still answers the challenge first: a caller without a token gets 401, not 403', async () => {
    vault.setFirewall({ allow: [] });
    const res = await vaultFetch(vault, '/secrets/app-config?api-version=7.5');
    expect(res.status).toBe(401);
  });
});

describe('throttling switch', () => {
  const BODY = '{"error":{"code":"Throttled","message":"Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached"}}';

  it('429 without Retry-After is not retried by the SDK', async () => {
    vault.setThrottle({});
    const before = vault.requests.length;
    const err = await thrown(() => client.getSecret('app-config'));
    expect(err.name).toBe('RestError');
    expect(err.statusCode).toBe(429);
    expect(err.code).toBe('Throttled');
    expect(err.message).toBe('Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached');
    expect(err.response.headers.get('retry-after')).toBeUndefined();
    expect(vault.requests.slice(before).filter((r) => r.status === 429)).toHaveLength(1);
  });

  it('429 with Retry-After is retried by the SDK and then succeeds', async () => {
    vault.setThrottle({ retryAfterS: 1, count: 2 });
    const before = vault.requests.length;
    const t0 = Date.now();
    expect((await client.getSecret('app-config')).value).toBe('v');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900);
    expect(vault.requests.slice(before).map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it('sends the real body and Retry-After on the wire', async () => {
    vault.setThrottle({ retryAfterS: 7, reason: 'VaultRequestTypeLimitReached' });
    const res = await vaultFetch(vault, '/secrets/app-config?api-version=2025-07-01', { token: await vault.mintToken() });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(await res.text()).toBe(BODY);
  });
});
