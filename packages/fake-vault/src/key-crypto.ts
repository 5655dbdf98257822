import { constants, createHash, privateDecrypt, privateEncrypt, publicDecrypt, publicEncrypt, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { ecdsaSign, ecdsaVerify } from './ecdsa.js';

/**
 * Key Vault's key algorithms on node:crypto keys. Key Vault signs a digest
 * the client computed; node:crypto's sign() always hashes, so signatures
 * are built from the RSA primitive (privateEncrypt) with the PKCS#1 v1.5 or
 * PSS encoding done here, and ECDSA in ecdsa.ts.
 */

const HASHES: Record<string, { name: string; length: number; digestInfo: string }> = {
  '256': { name: 'sha256', length: 32, digestInfo: '3031300d060960864801650304020105000420' },
  '384': { name: 'sha384', length: 48, digestInfo: '3041300d060960864801650304020205000430' },
  '512': { name: 'sha512', length: 64, digestInfo: '3051300d060960864801650304020305000440' },
};

export const RSA_SIGN_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
export const EC_SIGN_ALGORITHMS: Record<string, string> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521', ES256K: 'P-256K' };
export const RSA_ENCRYPTION_ALGORITHMS = ['RSA1_5', 'RSA-OAEP', 'RSA-OAEP-256'];

/** Thrown for an algorithm or input the key cannot serve; the caller turns it into 400 BadParameter. */
export class CryptoInputError extends Error {}

function hashOf(alg: string, digest: Buffer) {
  const h = HASHES[/\d{3}/.exec(alg)?.[0] ?? ''];
  if (!h) throw new CryptoInputError(`Algorithm ${alg} is not supported.`);
  if (digest.length !== h.length) throw new CryptoInputError(`Invalid digest length ${digest.length} for algorithm ${alg}.`);
  return h;
}

function mgf1(seed: Buffer, length: number, hash: string): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; out.length * seed.length < length; i++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(i);
    out.push(createHash(hash).update(seed).update(c).digest());
  }
  return Buffer.concat(out).subarray(0, length);
}

/** EMSA-PSS encoding (RFC 8017 9.1.1) with salt length = hash length, as Key Vault uses. */
function pssEncode(digest: Buffer, hash: string, modBits: number): Buffer {
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const salt = randomBytes(digest.length);
  const H = createHash(hash).update(Buffer.alloc(8)).update(digest).update(salt).digest();
  const db = Buffer.concat([Buffer.alloc(emLen - salt.length - H.length - 2), Buffer.from([1]), salt]);
  const mask = mgf1(H, db.length, hash);
  const masked = Buffer.from(db.map((b, i) => b ^ mask[i]!));
  masked[0]! &= 0xff >> (8 * emLen - emBits);
  return Buffer.concat([masked, H, Buffer.from([0xbc])]);
}

function pssVerify(em: Buffer, digest: Buffer, hash: string, modBits: number): boolean {
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  if (em.length > emLen) em = em.subarray(em.length - emLen);
  if (em.length !== emLen || em[emLen - 1] !== 0xbc) return false;
  const hLen = digest.length;
  const masked = em.subarray(0, emLen - hLen - 1);
  const H = em.subarray(emLen - hLen - 1, emLen - 1);
  const mask = mgf1(H, masked.length, hash);
  const db = Buffer.from(masked.map((b, i) => b ^ mask[i]!));
  db[0]! &= 0xff >> (8 * emLen - emBits);
  const sep = db.indexOf(1);
  if (sep < 0 || db.subarray(0, sep).some((b) => b !== 0)) return false;
  const salt = db.subarray(sep + 1);
  const H2 = createHash(hash).update(Buffer.alloc(8)).update(digest).update(salt).digest();
  return H2.length === H.length && timingSafeEqual(H, H2);
}

export interface KeyMaterial {
  readonly kty: 'RSA' | 'EC';
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** RSA modulus bits or EC curve name. */
  readonly size: number;
  readonly crv?: string;
}

export function sign(key: KeyMaterial, alg: string, digest: Buffer): Buffer {
  if (key.kty === 'EC') {
    const crv = EC_SIGN_ALGORITHMS[alg];
    if (!crv || crv !== key.crv) throw new CryptoInputError(`Algorithm ${alg} is not supported for key curve ${key.crv}.`);
    hashOf(alg, digest);
    const d = Buffer.from(String(key.privateKey.export({ format: 'jwk' }).d), 'base64url');
    return ecdsaSign(crv, d, digest);
  }
  if (!RSA_SIGN_ALGORITHMS.includes(alg)) throw new CryptoInputError(`Algorithm ${alg} is not supported for RSA keys.`);
  const h = hashOf(alg, digest);
  if (alg.startsWith('RS')) {
    return privateEncrypt({ key: key.privateKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([Buffer.from(h.digestInfo, 'hex'), digest]));
  }
  const em = pssEncode(digest, h.name, key.size);
  const padded = Buffer.concat([Buffer.alloc(key.size / 8 - em.length), em]);
  return privateEncrypt({ key: key.privateKey, padding: constants.RSA_NO_PADDING }, padded);
}

export function verify(key: KeyMaterial, alg: string, digest: Buffer, signature: Buffer): boolean {
  if (key.kty === 'EC') {
    const crv = EC_SIGN_ALGORITHMS[alg];
    if (!crv || crv !== key.crv) throw new CryptoInputError(`Algorithm ${alg} is not supported for key curve ${key.crv}.`);
    hashOf(alg, digest);
    const jwk = key.publicKey.export({ format: 'jwk' });
    return ecdsaVerify(crv, Buffer.from(String(jwk.x), 'base64url'), Buffer.from(String(jwk.y), 'base64url'), digest, signature);
  }
  if (!RSA_SIGN_ALGORITHMS.includes(alg)) throw new CryptoInputError(`Algorithm ${alg} is not supported for RSA keys.`);
  const h = hashOf(alg, digest);
  if (signature.length !== key.size / 8) return false;
  try {
    if (alg.startsWith('RS')) {
      const decoded = publicDecrypt({ key: key.publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
      const expected = Buffer.concat([Buffer.from(h.digestInfo, 'hex'), digest]);
      return decoded.length === expected.length && timingSafeEqual(decoded, expected);
    }
    const em = publicDecrypt({ key: key.publicKey, padding: constants.RSA_NO_PADDING }, signature);
    return pssVerify(em, digest, h.name, key.size);
  } catch {
    return false;
  }
}

function oaepHash(alg: string): string | undefined {
  return alg === 'RSA-OAEP' ? 'sha1' : alg === 'RSA-OAEP-256' ? 'sha256' : undefined;
}

export function encrypt(key: KeyMaterial, alg: string, plaintext: Buffer): Buffer {
  if (key.kty !== 'RSA' || !RSA_ENCRYPTION_ALGORITHMS.includes(alg)) throw new CryptoInputError(`Algorithm ${alg} is not supported for this key.`);
  const hash = oaepHash(alg);
  return hash
    ? publicEncrypt({ key: key.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, plaintext)
    : publicEncrypt({ key: key.publicKey, padding: constants.RSA_PKCS1_PADDING }, plaintext);
}

export function decrypt(key: KeyMaterial, alg: string, ciphertext: Buffer): Buffer {
  if (key.kty !== 'RSA' || !RSA_ENCRYPTION_ALGORITHMS.includes(alg)) throw new CryptoInputError(`Algorithm ${alg} is not supported for this key.`);
  const hash = oaepHash(alg);
  try {
    if (hash) return privateDecrypt({ key: key.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, ciphertext);
    // Node 20 refuses PKCS#1 v1.5 decryption (CVE-2023-46809); unpad by hand: 00 02 <nonzero> 00 <message>.
    const em = privateDecrypt({ key: key.privateKey, padding: constants.RSA_NO_PADDING }, ciphertext);
    const sep = em.indexOf(0, 2);
    if (em[0] !== 0 || em[1] !== 2 || sep < 10) throw new Error('padding');
    return em.subarray(sep + 1);
  } catch {
    throw new CryptoInputError('Decryption failed: the ciphertext is not valid for this key and algorithm.');
  }
}
