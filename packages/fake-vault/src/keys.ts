import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { CryptoInputError, decrypt, encrypt, sign, verify } from './key-crypto.js';
import type { KeyMaterial } from './key-crypto.js';
import { attributesFromBody, checkNameFree, findVersion, handleDeleted, newVersion, page, softDelete } from './objects.js';
import type { DeletedEntry, ObjectAttributes, ObjectStore, VaultScope, VersionedEntry } from './objects.js';
import { notFound } from './texts.js';
import { VaultError, badParameter, checkName } from './vault-error.js';
import type { VaultReply } from './vault-error.js';

const generate = promisify(generateKeyPair);

export interface KeyVersion {
  readonly version: string;
  readonly material: KeyMaterial;
  /** `RSA`, `RSA-HSM`, `EC`, `EC-HSM`: HSM is a label here, the crypto is the same. */
  readonly kty: string;
  keyOps: string[];
  tags?: Record<string, string> | undefined;
  attributes: ObjectAttributes;
}

export type KeyEntry = VersionedEntry<KeyVersion>;

export interface KeyScope extends VaultScope {
  readonly keys: Map<string, KeyEntry>;
  readonly deletedKeys: Map<string, DeletedEntry<KeyEntry>>;
}

const CRYPTO_OPS = new Set(['sign', 'verify', 'encrypt', 'decrypt', 'wrapkey', 'unwrapkey']);
/** key_ops names as the service spells them. */
const OP_NAMES: Record<string, string> = { sign: 'sign', verify: 'verify', encrypt: 'encrypt', decrypt: 'decrypt', wrapkey: 'wrapKey', unwrapkey: 'unwrapKey' };
const RSA_DEFAULT_OPS = ['encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey'];
const EC_CURVES: Record<string, string> = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1', 'P-256K': 'secp256k1' };

/** Operation name (for permissions and throttling) of a keys request. */
export function keyOperation(method: string, segments: readonly string[]): string {
  const [root, name, second, third] = segments;
  if (root === 'deletedkeys') {
    if (!name) return 'listDeleted';
    if (second === 'recover') return 'recover';
    return method === 'DELETE' ? 'purge' : 'getDeleted';
  }
  if (!name) return 'list';
  if (second === 'create') return 'create';
  const op = third ?? second;
  if (method === 'POST' && op && CRYPTO_OPS.has(op)) return OP_NAMES[op]!;
  if (second === 'versions') return 'list';
  if (method === 'DELETE') return 'delete';
  if (method === 'PATCH') return 'update';
  return 'get';
}

/** The key a request targets, for throttling by key size; undefined when absent. */
export function targetKey(scope: Pick<KeyScope, 'keys'>, segments: readonly string[]): KeyVersion | undefined {
  const [root, name, second, third] = segments;
  if (root !== 'keys' || !name) return undefined;
  const entry = scope.keys.get(name);
  const version = third !== undefined || (second && !CRYPTO_OPS.has(second) && second !== 'create' && second !== 'versions') ? second : undefined;
  return version ? entry?.versions.find((v) => v.version === version) : entry?.versions.at(-1);
}

function jwk(scope: KeyScope, name: string, v: KeyVersion): Record<string, unknown> {
  const pub = v.material.publicKey.export({ format: 'jwk' });
  const kid = `${scope.base}/keys/${name}/${v.version}`;
  return v.material.kty === 'RSA'
    ? { kid, kty: v.kty, key_ops: v.keyOps, n: pub.n, e: pub.e }
    : { kid, kty: v.kty, key_ops: v.keyOps, crv: v.material.crv, x: pub.x, y: pub.y };
}

function bundle(scope: KeyScope, name: string, v: KeyVersion): Record<string, unknown> {
  const a = v.attributes;
  return {
    key: jwk(scope, name, v),
    attributes: { enabled: a.enabled, nbf: a.nbf, exp: a.exp, created: a.created, updated: a.updated, recoveryLevel: 'Recoverable+Purgeable', recoverableDays: scope.recoverableDays, exportable: false },
    tags: v.tags,
  };
}

function deletedBundle(scope: KeyScope, d: DeletedEntry<KeyEntry>): Record<string, unknown> {
  return { recoveryId: `${scope.base}/deletedkeys/${d.entry.name}`, deletedDate: d.deletedDate, scheduledPurgeDate: d.scheduledPurgeDate, ...bundle(scope, d.entry.name, d.entry.versions.at(-1)!) };
}

function item(scope: KeyScope, name: string, v: KeyVersion, withVersion: boolean): Record<string, unknown> {
  const { key, ...rest } = bundle(scope, name, v);
  return { kid: withVersion ? (key as { kid: string }).kid : `${scope.base}/keys/${name}`, ...rest };
}

async function createMaterial(body: Record<string, unknown>): Promise<{ material: KeyMaterial; kty: string }> {
  const kty = String(body.kty ?? '');
  if (kty === 'RSA' || kty === 'RSA-HSM') {
    const size = body.key_size === undefined ? 2048 : Number(body.key_size);
    if (![2048, 3072, 4096].includes(size)) throw badParameter(`The specified key size ${String(body.key_size)} is not supported. Supported sizes are 2048, 3072 and 4096.`);
    const publicExponent = body.public_exponent === undefined ? 65537 : Number(body.public_exponent);
    const { privateKey, publicKey } = await generate('rsa', { modulusLength: size, publicExponent });
    return { kty, material: { kty: 'RSA', privateKey, publicKey, size } };
  }
  if (kty === 'EC' || kty === 'EC-HSM') {
    const crv = String(body.crv ?? 'P-256');
    const named = EC_CURVES[crv];
    if (!named) throw badParameter(`The specified curve ${crv} is not supported.`);
    const { privateKey, publicKey } = await generate('ec', { namedCurve: named });
    return { kty, material: { kty: 'EC', privateKey, publicKey, size: 2048, crv } };
  }
  throw badParameter(`The specified key type (kty) ${kty || '(none)'} is not supported.`);
}

/** Keys as the shared soft-delete handlers see them. */
const keyStore = (scope: KeyScope): ObjectStore<KeyEntry> => ({
  ...scope,
  kind: 'Key',
  live: scope.keys,
  deleted: scope.deletedKeys,
  deletedBundle: (d) => deletedBundle(scope, d),
  recoveredBundle: (entry) => bundle(scope, entry.name, entry.versions.at(-1)!),
});

const b64 = (v: unknown, field: string): Buffer => {
  if (typeof v !== 'string') throw badParameter(`Property ${field} is required.`);
  return Buffer.from(v, 'base64url');
};

function cryptoOperation(scope: KeyScope, name: string, v: KeyVersion, op: string, body: Record<string, unknown>): VaultReply {
  const opName = OP_NAMES[op]!;
  if (!v.attributes.enabled) throw new VaultError(403, 'Forbidden', `Operation ${opName} is not allowed on a disabled key.`, 'KeyDisabled');
  if (!v.keyOps.includes(opName)) throw new VaultError(403, 'Forbidden', `Operation ${opName} is not permitted on this key.`, 'KeyOperationForbidden');
  const alg = String(body.alg ?? '');
  const kid = `${scope.base}/keys/${name}/${v.version}`;
  try {
    switch (op) {
      case 'sign':
        return { status: 200, body: { kid, value: sign(v.material, alg, b64(body.value, 'value')).toString('base64url') } };
      case 'verify':
        return { status: 200, body: { value: verify(v.material, alg, b64(body.digest, 'digest'), b64(body.value, 'value')) } };
      case 'encrypt':
      case 'wrapkey':
        return { status: 200, body: { kid, value: encrypt(v.material, alg, b64(body.value, 'value')).toString('base64url') } };
      default:
        return { status: 200, body: { kid, value: decrypt(v.material, alg, b64(body.value, 'value')).toString('base64url') } };
    }
  } catch (err) {
    if (err instanceof CryptoInputError) throw badParameter(err.message);
    throw err;
  }
}

export async function handleKeys(scope: KeyScope, method: string, segments: readonly string[], query: URLSearchParams, rawBody: unknown, recovering: (d: DeletedEntry<unknown> | undefined) => boolean): Promise<VaultReply> {
  const [root, name, second, third] = segments;
  const body = (rawBody ?? {}) as Record<string, unknown>;
  if (name !== undefined) checkName(name);
  if (root === 'deletedkeys') return handleDeleted(keyStore(scope), method, name, second, query, recovering);
  if (name === undefined) {
    if (method !== 'GET') throw badParameter(`Method ${method} is not supported on keys.`);
    return page(scope, '/keys', [...scope.keys.values()].map((e) => item(scope, e.name, e.versions.at(-1)!, false)), query);
  }
  if (method === 'POST' && second === 'create') {
    const deleted = scope.deletedKeys.get(name);
    checkNameFree('Key', name, deleted, recovering(deleted));
    const { material, kty } = await createMaterial(body);
    const requested = Array.isArray(body.key_ops) ? body.key_ops.map(String) : undefined;
    const v: KeyVersion = {
      version: newVersion(),
      material,
      kty,
      keyOps: requested ?? (material.kty === 'RSA' ? RSA_DEFAULT_OPS : ['sign', 'verify']),
      tags: (body.tags as Record<string, string> | undefined) ?? undefined,
      attributes: attributesFromBody(body.attributes),
    };
    const entry = scope.keys.get(name) ?? { name, versions: [] };
    entry.versions.push(v);
    scope.keys.set(name, entry);
    return { status: 200, body: bundle(scope, name, v) };
  }
  const op = third ?? (second && CRYPTO_OPS.has(second) ? second : undefined);
  if (method === 'POST' && op && CRYPTO_OPS.has(op)) {
    const version = third !== undefined ? second : undefined;
    return cryptoOperation(scope, name, findVersion('Key', scope.keys, name, version || undefined), op, body);
  }
  if (method === 'GET' && second === 'versions') {
    const entry = scope.keys.get(name);
    if (!entry) throw new VaultError(404, 'KeyNotFound', notFound('key', name));
    return page(scope, `/keys/${name}/versions`, entry.versions.map((v) => item(scope, name, v, true)), query);
  }
  if (method === 'GET') return { status: 200, body: bundle(scope, name, findVersion('Key', scope.keys, name, second || undefined)) };
  if (method === 'PATCH') {
    const v = findVersion('Key', scope.keys, name, second || undefined);
    v.attributes = attributesFromBody(body.attributes, v.attributes);
    if (Array.isArray(body.key_ops)) v.keyOps = body.key_ops.map(String);
    if (body.tags && typeof body.tags === 'object') v.tags = body.tags as Record<string, string>;
    return { status: 200, body: bundle(scope, name, v) };
  }
  if (method === 'DELETE' && second === undefined) return softDelete(keyStore(scope), name);
  throw badParameter(`Method ${method} is not supported on keys.`);
}
