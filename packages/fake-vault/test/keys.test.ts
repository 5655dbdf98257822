import { createHash, verify as nodeVerify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CryptographyClient, KeyClient } from '@azure/keyvault-keys';
import type { KeyVaultKey } from '@azure/keyvault-keys';
import { start } from '../src/index.js';
import type { FakeVault, TokenCredentialLike } from '../src/index.js';
import { json, jwkPublicKey, thrown } from './helpers.js';

let vault: FakeVault;
let credential: TokenCredentialLike;
let keys: KeyClient;

beforeAll(async () => {
  vault = await start({ vaultName: 'keyvault1' });
  credential = await vault.credential();
  keys = new KeyClient(vault.vaultUrl, credential, vault.clientOptions());
});
afterAll(() => vault.close());

const remote = (key: KeyVaultKey) => new CryptographyClient(key.id!, credential, vault.clientOptions());
const publicKey = jwkPublicKey;

describe('EC keys', () => {
  for (const [curve, alg, hash] of [['P-256', 'ES256', 'sha256'], ['P-384', 'ES384', 'sha384'], ['P-521', 'ES512', 'sha512'], ['P-256K', 'ES256K', 'sha256']] as const) {
    it(`${curve}: sign/verify round trip, verifiable with node:crypto`, async () => {
      const key = await keys.createEcKey(`ec-${curve.replace(/\W/g, '')}`, { curve });
      expect(key.key!.crv).toBe(curve);
      const c = remote(key);
      const data = Buffer.from('sign me');
      const signed = await c.sign(alg, createHash(hash).update(data).digest());
      expect((await c.verify(alg, createHash(hash).update(data).digest(), signed.result)).result).toBe(true);
      expect(nodeVerify(hash, data, { key: publicKey(key), dsaEncoding: 'ieee-p1363' }, Buffer.from(signed.result))).toBe(true);
    });
  }
});

describe('key management and key_ops', () => {
  it('gets, lists versions and keys, deletes and recovers', async () => {
    const first = await keys.createRsaKey('managed');
    const second = await keys.createRsaKey('managed');
    expect((await keys.getKey('managed')).properties.version).toBe(second.properties.version);
    expect((await keys.getKey('managed', { version: first.properties.version! })).id).toBe(first.id);
    const versions: string[] = [];
    for await (const v of keys.listPropertiesOfKeyVersions('managed')) versions.push(v.version!);
    expect(versions.sort()).toEqual([first.properties.version, second.properties.version].sort());
    const names: string[] = [];
    for await (const p of keys.listPropertiesOfKeys()) names.push(p.name);
    expect(names).toContain('managed');
    await (await keys.beginDeleteKey('managed')).pollUntilDone();
    expect((await keys.getDeletedKey('managed')).properties.recoveryId).toBe(`${vault.vaultUrl}/deletedkeys/managed`);
    await (await keys.beginRecoverDeletedKey('managed')).pollUntilDone();
    expect((await keys.getKey('managed')).name).toBe('managed');
  });

  it('404 KeyNotFound with the real text', async () => {
    const err = await thrown(() => keys.getKey('no-such-key'));
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe('KeyNotFound');
    expect(err.message).toMatch(/^A key with \(name\/id\) no-such-key was not found in this key vault\./);
  });

  it('honours key_ops: 403 KeyOperationForbidden when the ops changed after the client cached the key', async () => {
    const key = await keys.createRsaKey('ops-change');
    const c = remote(key);
    const enc = await c.encrypt({ algorithm: 'RSA-OAEP', plaintext: Buffer.from('ok') }); // caches the key with all ops
    const updated = await keys.updateKeyProperties('ops-change', key.properties.version!, { keyOps: ['encrypt', 'sign', 'verify'] });
    expect(updated.keyOperations).toEqual(['encrypt', 'sign', 'verify']);
    const err = await thrown(() => c.decrypt({ algorithm: 'RSA-OAEP', ciphertext: enc.result }));
    expect(err.name).toBe('RestError');
    expect(err.statusCode).toBe(403);
    expect(err.code).toBe('Forbidden');
    expect(err.details.error.innerError.code).toBe('KeyOperationForbidden');
    expect(err.message).toBe('Operation decrypt is not permitted on this key.');
  });

  it('a key created with limited key_ops: the vault refuses other operations on the wire', async () => {
    const key = await keys.createRsaKey('sign-only', { keyOps: ['sign', 'verify'] });
    expect(key.keyOperations).toEqual(['sign', 'verify']);
    const res = await fetch(`${key.id}/encrypt?api-version=2025-07-01`, {
      method: 'POST',
      ...({ dispatcher: vault.dispatcher() } as object),
      headers: { authorization: `Bearer ${await vault.mintToken()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ alg: 'RSA-OAEP', value: Buffer.from('x').toString('base64url') }),
    });
    expect(res.status).toBe(403);
    expect(await json(res)).toEqual({ error: { code: 'Forbidden', message: 'Operation encrypt is not permitted on this key.', innererror: { code: 'KeyOperationForbidden' } } });
  });

  it('checks permissions per key operation in access-policy mode', async () => {
    const signer = vault.registerClient();
    vault.grant(signer, { keys: ['get', 'sign'] });
    const key = await keys.createRsaKey('policy-key');
    const c = new CryptographyClient(key.id!, await vault.credential(signer), vault.clientOptions());
    expect((await c.sign('RS256', createHash('sha256').update('x').digest())).result.length).toBe(256);
    const err = await thrown(() => c.decrypt({ algorithm: 'RSA-OAEP', ciphertext: Buffer.alloc(256, 1) }));
    expect(err.statusCode).toBe(403);
    expect(err.details.error.innerError.code).toBe('AccessDenied');
    expect(err.message).toContain('does not have keys decrypt permission on key vault');
  });
});
