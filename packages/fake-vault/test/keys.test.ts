import { createHash, createPublicKey, publicEncrypt, constants, verify as nodeVerify, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CryptographyClient, KeyClient } from '@azure/keyvault-keys';
import type { KeyVaultKey } from '@azure/keyvault-keys';
import { start } from '../src/index.js';
import type { FakeVault, TokenCredentialLike } from '../src/index.js';
import { thrown, json } from './helpers.js';

let vault: FakeVault;
let credential: TokenCredentialLike;
let keys: KeyClient;

beforeAll(async () => {
  vault = await start({ vaultName: 'keyvault1' });
  credential = await vault.credential();
  keys = new KeyClient(vault.vaultUrl, credential, vault.clientOptions());
});
afterAll(() => vault.close());

const crypto = (key: KeyVaultKey) => new CryptographyClient(key, credential, vault.clientOptions());
const remote = (key: KeyVaultKey) => new CryptographyClient(key.id!, credential, vault.clientOptions());
const publicKey = (key: KeyVaultKey) => createPublicKey({ key: JSON.parse(JSON.stringify({ ...key.key, n: b64(key.key?.n), e: b64(key.key?.e), x: b64(key.key?.x), y: b64(key.key?.y), kty: key.key!.kty!.replace('-HSM', ''), crv: key.key?.crv === 'P-256K' ? 'secp256k1' : key.key?.crv })), format: 'jwk' });
const b64 = (u?: Uint8Array) => (u ? Buffer.from(u).toString('base64url') : undefined);

describe('RSA keys through KeyClient + CryptographyClient', () => {
  for (const size of [2048, 3072, 4096]) {
    it(`RSA-${size}: sign/verify, encrypt/decrypt, wrap/unwrap round trips`, async () => {
      const key = await keys.createRsaKey(`rsa-${size}`, { keySize: size });
      expect(key.keyType).toBe('RSA');
      expect(Buffer.from(key.key!.n!).length).toBe(size / 8);
      const c = remote(key);
      const data = Buffer.from(`payload for ${size}`);
      for (const alg of ['RS256', 'PS256', 'RS384', 'PS512'] as const) {
        const signed = await c.signData(alg, data);
        const hash = `sha${alg.slice(2)}`;
        const digest = createHash(hash).update(data).digest();
        // verify(digest) runs in the vault; verifyData runs locally in the SDK, which checks PS*
        // signatures with PKCS#1 v1.5 padding (an SDK quirk), so only RS* is checked that way.
        expect((await c.verify(alg, digest, signed.result)).result).toBe(true);
        expect((await c.verify(alg, createHash(hash).update('tampered').digest(), signed.result)).result).toBe(false);
        if (alg.startsWith('RS')) expect((await c.verifyData(alg, data, signed.result)).result).toBe(true);
        // the signature is real: node:crypto verifies it with the public JWK
        const padding = alg.startsWith('PS') ? constants.RSA_PKCS1_PSS_PADDING : constants.RSA_PKCS1_PADDING;
        expect(nodeVerify(hash, data, { key: publicKey(key), padding, saltLength: Number(alg.slice(2)) / 8 }, Buffer.from(signed.result))).toBe(true);
      }
      for (const alg of ['RSA-OAEP', 'RSA-OAEP-256', 'RSA1_5'] as const) {
        const enc = await c.encrypt({ algorithm: alg, plaintext: data });
        expect(Buffer.from((await c.decrypt({ algorithm: alg, ciphertext: enc.result })).result).toString()).toBe(data.toString());
      }
      const cek = randomBytes(32);
      const wrapped = await c.wrapKey('RSA-OAEP-256', cek);
      expect(Buffer.from((await c.unwrapKey('RSA-OAEP-256', wrapped.result)).result)).toEqual(cek);
      // ciphertext made outside the vault with the public key decrypts inside it
      const outside = publicEncrypt({ key: publicKey(key), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, data);
      expect(Buffer.from((await c.decrypt({ algorithm: 'RSA-OAEP-256', ciphertext: outside })).result)).toEqual(data);
    });
  }

  it('a CryptographyClient built from the key object does local encrypt/verify that the vault accepts', async () => {
    const key = await keys.createRsaKey('rsa-local', { hsm: true });
    expect(key.keyType).toBe('RSA-HSM');
    const c = crypto(key);
    const enc = await c.encrypt({ algorithm: 'RSA-OAEP', plaintext: Buffer.from('x') });
    expect(Buffer.from((await c.decrypt({ algorithm: 'RSA-OAEP', ciphertext: enc.result })).result).toString()).toBe('x');
  });
});

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
