import { constants, createHash, publicEncrypt, randomBytes, verify as nodeVerify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CryptographyClient, KeyClient } from '@azure/keyvault-keys';
import type { KeyVaultKey } from '@azure/keyvault-keys';
import { start } from '../src/index.js';
import type { FakeVault, TokenCredentialLike } from '../src/index.js';
import { jwkPublicKey } from './helpers.js';

let vault: FakeVault;
let credential: TokenCredentialLike;
let keys: KeyClient;

beforeAll(async () => {
  vault = await start({ vaultName: 'keyvault2' });
  credential = await vault.credential();
  keys = new KeyClient(vault.vaultUrl, credential, vault.clientOptions());
});
afterAll(() => vault.close());

const crypto = (key: KeyVaultKey) => new CryptographyClient(key, credential, vault.clientOptions());
const remote = (key: KeyVaultKey) => new CryptographyClient(key.id!, credential, vault.clientOptions());
const publicKey = jwkPublicKey;

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
