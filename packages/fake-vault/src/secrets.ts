import { attributesFromBody, checkNameFree, findVersion, handleDeleted, newVersion, page, softDelete } from './objects.js';
import type { DeletedEntry, ObjectAttributes, ObjectStore, VaultScope, VersionedEntry } from './objects.js';
import type { VaultReply } from './vault-error.js';
import { VaultError, badParameter, checkName } from './vault-error.js';
import { notFound } from './texts.js';

export interface SecretVersion {
  readonly version: string;
  readonly value: string;
  contentType?: string | undefined;
  tags?: Record<string, string> | undefined;
  attributes: ObjectAttributes;
}

export type SecretEntry = VersionedEntry<SecretVersion>;

/** Everything a secret request needs to know about the vault it hit. */
export interface SecretScope extends VaultScope {
  readonly secrets: Map<string, SecretEntry>;
  readonly deletedSecrets: Map<string, DeletedEntry<SecretEntry>>;
}

const RECOVERY_LEVEL = 'Recoverable+Purgeable';

function attributesJson(a: ObjectAttributes, days: number): Record<string, unknown> {
  return { enabled: a.enabled, nbf: a.nbf, exp: a.exp, created: a.created, updated: a.updated, recoveryLevel: RECOVERY_LEVEL, recoverableDays: days };
}

function bundle(scope: SecretScope, name: string, v: SecretVersion, withValue: boolean): Record<string, unknown> {
  return {
    ...(withValue ? { value: v.value } : {}),
    contentType: v.contentType,
    id: `${scope.base}/secrets/${name}/${v.version}`,
    attributes: attributesJson(v.attributes, scope.recoverableDays),
    tags: v.tags,
  };
}

function deletedBundle(scope: SecretScope, d: DeletedEntry<SecretEntry>): Record<string, unknown> {
  const current = d.entry.versions.at(-1)!;
  return {
    recoveryId: `${scope.base}/deletedsecrets/${d.entry.name}`,
    deletedDate: d.deletedDate,
    scheduledPurgeDate: d.scheduledPurgeDate,
    ...bundle(scope, d.entry.name, current, false),
  };
}

/** Secrets as the shared soft-delete handlers see them. */
const secretStore = (scope: SecretScope): ObjectStore<SecretEntry> => ({
  ...scope,
  kind: 'Secret',
  live: scope.secrets,
  deleted: scope.deletedSecrets,
  deletedBundle: (d) => deletedBundle(scope, d),
  recoveredBundle: (entry) => bundle(scope, entry.name, entry.versions.at(-1)!, false),
});

/** Operation name (for permissions and throttling) of a secrets request. */
export function secretOperation(method: string, segments: readonly string[]): string {
  const [root, name, third] = segments;
  if (root === 'deletedsecrets') {
    if (!name) return 'listDeleted';
    if (third === 'recover') return 'recover';
    return method === 'DELETE' ? 'purge' : 'getDeleted';
  }
  if (!name) return 'list';
  if (third === 'versions' && method === 'GET') return 'list';
  if (method === 'PUT') return 'set';
  if (method === 'DELETE') return 'delete';
  if (method === 'PATCH') return 'update';
  if (third === 'backup') return 'backup';
  return 'get';
}

export function handleSecrets(scope: SecretScope, method: string, segments: readonly string[], query: URLSearchParams, body: unknown, recoveringNow: (d: DeletedEntry<unknown> | undefined) => boolean): VaultReply {
  const [root, name, third] = segments;
  if (name !== undefined) checkName(name);
  if (root === 'deletedsecrets') return handleDeleted(secretStore(scope), method, name, third, query, recoveringNow);
  if (name === undefined) {
    if (method !== 'GET') throw badParameter(`Method ${method} is not supported on secrets.`);
    const items = [...scope.secrets.values()].map((e) => {
      const v = e.versions.at(-1)!;
      return { id: `${scope.base}/secrets/${e.name}`, attributes: attributesJson(v.attributes, scope.recoverableDays), contentType: v.contentType, tags: v.tags };
    });
    return page(scope, '/secrets', items, query);
  }
  if (method === 'PUT' && third === undefined) {
    const deleted = scope.deletedSecrets.get(name);
    checkNameFree('Secret', name, deleted, recoveringNow(deleted));
    const b = (body ?? {}) as Record<string, unknown>;
    if (typeof b.value !== 'string') throw badParameter('Property value is required.');
    const v: SecretVersion = {
      version: newVersion(),
      value: b.value,
      contentType: typeof b.contentType === 'string' ? b.contentType : undefined,
      tags: (b.tags as Record<string, string> | undefined) ?? undefined,
      attributes: attributesFromBody(b.attributes),
    };
    const entry = scope.secrets.get(name) ?? { name, versions: [] };
    entry.versions.push(v);
    scope.secrets.set(name, entry);
    return { status: 200, body: bundle(scope, name, v, true) };
  }
  if (method === 'GET' && third === 'versions') {
    const entry = scope.secrets.get(name);
    if (!entry) throw new VaultError(404, 'SecretNotFound', notFound('secret', name));
    const items = entry.versions.map((v) => ({ id: `${scope.base}/secrets/${name}/${v.version}`, attributes: attributesJson(v.attributes, scope.recoverableDays), contentType: v.contentType, tags: v.tags }));
    return page(scope, `/secrets/${name}/versions`, items, query);
  }
  if (method === 'GET') {
    const v = findVersion('Secret', scope.secrets, name, third || undefined);
    if (!v.attributes.enabled) throw new VaultError(403, 'Forbidden', 'Operation get is not allowed on a disabled secret.', 'SecretDisabled');
    return { status: 200, body: bundle(scope, name, v, true) };
  }
  if (method === 'PATCH') {
    const v = findVersion('Secret', scope.secrets, name, third || undefined);
    const b = (body ?? {}) as Record<string, unknown>;
    v.attributes = attributesFromBody(b.attributes, v.attributes);
    if (typeof b.contentType === 'string') v.contentType = b.contentType;
    if (b.tags && typeof b.tags === 'object') v.tags = b.tags as Record<string, string>;
    return { status: 200, body: bundle(scope, name, v, false) };
  }
  if (method === 'DELETE' && third === undefined) return softDelete(secretStore(scope), name);
  throw badParameter(`Method ${method} is not supported on secrets.`);
}
