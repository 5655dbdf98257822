import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretClient } from '@azure/keyvault-secrets';
import { CryptographyClient, KeyClient } from '@azure/keyvault-keys';
import { start } from '../src/index.js';
import type { FakeVault } from '../src/index.js';
import { json } from './helpers.js';

let vault: FakeVault;

beforeAll(async () => {
  vault = await start({ vaultName: 'cloudvault' });
});
afterAll(() => vault.close());

const fetchAt = async (url: string, token?: string) =>
  fetch(url, { ...({ dispatcher: vault.dispatcher() } as object), headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('sovereign clouds and Managed HSM hosts', () => {
  it('a China-cloud vault challenges with its own resource and login host, and works through the SDK', async () => {
    const url = vault.urlFor('vault.azure.cn');
    expect(url).toBe(`https://cloudvault.vault.azure.cn:${vault.port}`);
    const res = await fetchAt(`${url}/secrets?api-version=7.5`);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer authorization="https://login.chinacloudapi.cn/${vault.tenantId}", resource="https://vault.azure.cn"`);
    const client = new SecretClient(url, await vault.credential(), vault.clientOptions());
    await client.setSecret('cn-secret', 'v');
    expect((await client.getSecret('cn-secret')).value).toBe('v');
  });

  it('a public-cloud token is the wrong audience for a China-cloud vault', async () => {
    const res = await fetchAt(`${vault.urlFor('vault.azure.cn')}/secrets?api-version=7.5`, await vault.mintToken());
    expect(res.status).toBe(401);
    expect((await json(res)).error.message).toBe('AKV10022: Invalid audience. Expected https://vault.azure.cn, found: https://vault.azure.net.');
  });

  it('a Managed HSM: KeyClient and CryptographyClient with the managedhsm resource', async () => {
    const url = vault.urlFor('managedhsm.azure.net', 'myhsm');
    const res = await fetchAt(`${url}/keys?api-version=7.5`);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer authorization="https://login.microsoftonline.com/${vault.tenantId}", resource="https://managedhsm.azure.net"`);
    const keys = new KeyClient(url, await vault.credential(), vault.clientOptions());
    const key = await keys.createRsaKey('hsm-key', { hsm: true });
    expect(key.keyType).toBe('RSA-HSM');
    const c = new CryptographyClient(key.id!, await vault.credential(), vault.clientOptions());
    const signed = await c.signData('RS256', Buffer.from('x'));
    expect((await c.verifyData('RS256', Buffer.from('x'), signed.result)).result).toBe(true);
    const vaultToken = await fetchAt(`${url}/keys?api-version=7.5`, await vault.mintToken({ aud: 'cfa8b339-82a2-471a-a3c9-0fc0be7a4093' }));
    expect((await json(vaultToken)).error.message).toBe('AKV10022: Invalid audience. Expected https://managedhsm.azure.net, found: cfa8b339-82a2-471a-a3c9-0fc0be7a4093.');
  });

  it('Managed HSM does not throttle crypto operations, a vault does', async () => {
    const keys = new KeyClient(vault.urlFor('managedhsm.azure.net', 'myhsm'), await vault.credential(), vault.clientOptions());
    const key = await keys.getKey('hsm-key');
    const c = new CryptographyClient(key, await vault.credential(), vault.clientOptions());
    vault.setThrottling({ scale: 0.001, retryAfter: false });
    try {
      for (let i = 0; i < 5; i++) await c.sign('RS256', Buffer.alloc(32, i)); // HSM crypto limit would be 2 after scaling
      const vaultKeys = new KeyClient(vault.vaultUrl, await vault.credential(), vault.clientOptions());
      vault.setThrottling(null);
      const vk = await vaultKeys.createRsaKey('vault-key');
      vault.setThrottling({ scale: 0.001, retryAfter: false });
      const vc = new CryptographyClient(vk, await vault.credential(), vault.clientOptions());
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push(await vc.sign('RS256', Buffer.alloc(32, i)).then(() => 200, (e: { statusCode: number }) => e.statusCode));
      expect(statuses).toContain(429);
    } finally {
      vault.setThrottling(null);
    }
  });

  it('urlFor refuses unknown suffixes', () => {
    expect(() => vault.urlFor('vault.example.com' as never)).toThrow(TypeError);
  });
});
