import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start } from '../src/index.js';
import type { FakeVault } from '../src/index.js';
import { secretClient, thrown, vaultFetch, json } from './helpers.js';
import type { SecretClient } from '@azure/keyvault-secrets';

let vault: FakeVault;
let client: SecretClient;

beforeAll(async () => {
  vault = await start({ vaultName: 'roundtrip', region: 'westeurope' });
  client = await secretClient(vault);
});
afterAll(() => vault.close());

describe('secrets through the real SecretClient + ClientSecretCredential', () => {
  it('sets and gets a secret, latest and by version', async () => {
    const first = await client.setSecret('db-password', 'one', { contentType: 'text/plain', tags: { env: 'test' } });
    const second = await client.setSecret('db-password', 'two');
    expect(first.properties.version).not.toBe(second.properties.version);
    expect((await client.getSecret('db-password')).value).toBe('two');
    const old = await client.getSecret('db-password', { version: first.properties.version! });
    expect(old.value).toBe('one');
    expect(old.properties.contentType).toBe('text/plain');
    expect(old.properties.tags).toEqual({ env: 'test' });
    expect(old.properties.vaultUrl).toBe(vault.vaultUrl);
    expect(old.properties.recoveryLevel).toBe('Recoverable+Purgeable');
  });

  it('lists secrets and versions across nextLink pages', async () => {
    for (let i = 0; i < 30; i++) await client.setSecret(`paged-${i}`, `v${i}`);
    const names: string[] = [];
    for await (const p of client.listPropertiesOfSecrets()) names.push(p.name);
    expect(names.filter((n) => n.startsWith('paged-'))).toHaveLength(30);
    const pages: number[] = [];
    for await (const page of client.listPropertiesOfSecrets().byPage({ maxPageSize: 10 })) pages.push(page.length);
    expect(pages.length).toBeGreaterThan(1);
    const versions: string[] = [];
    for await (const v of client.listPropertiesOfSecretVersions('db-password')) versions.push(v.version!);
    expect(versions).toHaveLength(2);
  });

  it('soft-deletes, gets the deleted secret, recovers and purges', async () => {
    await client.setSecret('to-delete', 'x');
    const poller = await client.beginDeleteSecret('to-delete');
    const deleted = await poller.pollUntilDone();
    expect(deleted.properties.recoveryId).toBe(`${vault.vaultUrl}/deletedsecrets/to-delete`);
    expect((await client.getDeletedSecret('to-delete')).name).toBe('to-delete');
    const listed: string[] = [];
    for await (const d of client.listDeletedSecrets()) listed.push(d.name);
    expect(listed).toContain('to-delete');
    const err = await thrown(() => client.getSecret('to-delete'));
    expect(err.statusCode).toBe(404);
    const recover = await client.beginRecoverDeletedSecret('to-delete');
    await recover.pollUntilDone();
    expect((await client.getSecret('to-delete')).value).toBe('x');
    await (await client.beginDeleteSecret('to-delete')).pollUntilDone();
    await client.purgeDeletedSecret('to-delete');
    expect((await thrown(() => client.getDeletedSecret('to-delete'))).statusCode).toBe(404);
  });

  it('answers 404 with the real SecretNotFound body', async () => {
    const err = await thrown(() => client.getSecret('never-set'));
    expect(err.name).toBe('RestError');
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe('SecretNotFound');
    expect(err.message).toBe(
      'A secret with (name/id) never-set was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182',
    );
  });

  it('updates properties (disable) with PATCH', async () => {
    const s = await client.setSecret('patched', 'v');
    const updated = await client.updateSecretProperties('patched', s.properties.version!, { enabled: false, tags: { a: 'b' } });
    expect(updated.enabled).toBe(false);
    expect(updated.tags).toEqual({ a: 'b' });
  });
});

describe('secrets over plain fetch', () => {
  it('serves every supported api-version and the Key Vault response headers', async () => {
    const token = await vault.mintToken();
    await client.setSecret('fetched', 'value-1');
    for (const v of ['7.0', '7.4', '7.4-preview.1', '7.6', '2025-07-01', '2026-04-01']) {
      const res = await vaultFetch(vault, `/secrets/fetched?api-version=${v}`, { token, headers: { 'x-ms-client-request-id': `req-${v}` } });
      expect(res.status).toBe(200);
      expect((await json(res)).value).toBe('value-1');
      expect(res.headers.get('x-ms-client-request-id')).toBe(`req-${v}`);
      expect(res.headers.get('x-ms-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers.get('x-ms-keyvault-region')).toBe('westeurope');
      expect(res.headers.get('x-ms-keyvault-service-version')).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(res.headers.get('x-ms-keyvault-network-info')).toBe('conn_type=Ipv4;addr=127.0.0.1;act_addr_fam=InterNetwork;');
    }
  });

  it('pages with nextLink that a client can follow verbatim', async () => {
    const token = await vault.mintToken();
    let url: string | null = `/secrets?api-version=2025-07-01&maxresults=7`;
    let total = 0;
    let pages = 0;
    while (url) {
      const res = await vaultFetch(vault, url, { token });
      const body = (await json(res)) as { value: unknown[]; nextLink: string | null };
      total += body.value.length;
      pages += 1;
      url = body.nextLink ? body.nextLink.slice(vault.vaultUrl.length) : null;
      if (body.nextLink) expect(body.nextLink.startsWith(`${vault.vaultUrl}/secrets?api-version=2025-07-01&`)).toBe(true);
    }
    expect(pages).toBeGreaterThan(1);
    let viaSdk = 0;
    for await (const _ of client.listPropertiesOfSecrets()) viaSdk += 1;
    expect(total).toBe(viaSdk);
    expect(total).toBeGreaterThan(30);
  });

  it('reaches the default vault by address too', async () => {
    const res = await fetch(`${vault.url}/secrets/fetched?api-version=7.5`, {
      ...({ dispatcher: vault.dispatcher() } as object),
      headers: { authorization: `Bearer ${await vault.mintToken()}` },
    });
    expect(res.status).toBe(200);
  });
});
