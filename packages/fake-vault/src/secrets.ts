import { randomBytes } from 'node:crypto';
import type { VaultReply } from './vault-error.js';
import { VaultError, badParameter, checkName, nowS } from './vault-error.js';
import { deletedNotFound, notFound } from './texts.js';

export interface ObjectAttributes {
  enabled: boolean;
  nbf?: number | undefined;
  exp?: number | undefined;
  created: number;
  updated: number;
}

export interface SecretVersion {
  readonly version: string;
  readonly value: string;
  contentType?: string | undefined;
  tags?: Record<string, string> | undefined;
  attributes: ObjectAttributes;
}

export interface SecretEntry {
  readonly name: string;
  /** Oldest first; the last one is the current version. */
  readonly versions: SecretVersion[];
}

export interface DeletedEntry<T> {
  readonly entry: T;
  readonly deletedDate: number;
  readonly scheduledPurgeDate: number;
  /** While recovery runs (epoch ms), the name can be neither reused nor recovered again. */
  recoveringUntil?: number;
}

/** Everything a secret request needs to know about the vault it hit. */
export interface SecretScope {
  readonly base: string;
  readonly apiVersion: string;
  readonly secrets: Map<string, SecretEntry>;
  readonly deletedSecrets: Map<string, DeletedEntry<SecretEntry>>;
  readonly recoverableDays: number;
  /** How long a recovery stays in progress (ObjectIsBeingRecovered) before the object is back. */
  readonly recoveryDelayMs: number;
}

const RECOVERY_LEVEL = 'Recoverable+Purgeable';

export function newVersion(): string {
  return randomBytes(16).toString('hex');
}

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

/** One page of a list, with the nextLink the SDK follows verbatim. */
export function page<T>(scope: { base: string; apiVersion: string }, path: string, items: T[], query: URLSearchParams): VaultReply {
  const max = Math.min(Math.max(Number(query.get('maxresults') ?? 25) || 25, 1), 25);
  const skip = Number(Buffer.from(query.get('$skiptoken') ?? '', 'base64url').toString() || '0') || 0;
  const slice = items.slice(skip, skip + max);
  const next = skip + max < items.length
    ? `${scope.base}${path}?api-version=${scope.apiVersion}&$skiptoken=${Buffer.from(String(skip + max)).toString('base64url')}&maxresults=${max}`
    : null;
  return { status: 200, body: { value: slice, nextLink: next } };
}

function attrsFromBody(raw: unknown, previous?: ObjectAttributes): ObjectAttributes {
  const a = (raw ?? {}) as Record<string, unknown>;
  const now = nowS();
  return {
    enabled: typeof a.enabled === 'boolean' ? a.enabled : (previous?.enabled ?? true),
    nbf: typeof a.nbf === 'number' ? a.nbf : previous?.nbf,
    exp: typeof a.exp === 'number' ? a.exp : previous?.exp,
    created: previous?.created ?? now,
    updated: now,
  };
}

function findVersion(scope: SecretScope, name: string, version: string | undefined): SecretVersion {
  const entry = scope.secrets.get(name);
  const v = version ? entry?.versions.find((x) => x.version === version) : entry?.versions.at(-1);
  if (!v) throw new VaultError(404, 'SecretNotFound', notFound('secret', version ? `${name}/${version}` : name));
  return v;
}

/** Throws the 409s the vault answers while a name is soft-deleted or being recovered. */
export function checkNameFree(kind: 'Secret' | 'Key', name: string, deleted: DeletedEntry<unknown> | undefined, recovering: boolean): void {
  const lower = kind.toLowerCase();
  if (recovering) {
    throw new VaultError(409, 'Conflict', `${kind} ${name} is currently being recovered and cannot be re-created; retry later.`, 'ObjectIsBeingRecovered');
  }
  if (deleted) {
    throw new VaultError(409, 'Conflict', `${kind} ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the ${lower} can only be recovered or purged.`, 'ObjectIsDeletedButRecoverable');
  }
}

/** Recovers at once, or marks the recovery in progress; settleRecoveries() completes it later. */
export function finishOrStartRecovery<T>(deleted: Map<string, DeletedEntry<T>>, live: Map<string, T>, name: string, d: DeletedEntry<T>, delayMs: number): void {
  if (delayMs > 0) {
    d.recoveringUntil = Date.now() + delayMs;
    return;
  }
  deleted.delete(name);
  live.set(name, d.entry);
}

/** Completes recoveries whose time has come; called per request so no timer outlives close(). */
export function settleRecoveries<T>(deleted: Map<string, DeletedEntry<T>>, live: Map<string, T>): void {
  const now = Date.now();
  for (const [name, d] of deleted) {
    if (d.recoveringUntil !== undefined && d.recoveringUntil <= now) {
      deleted.delete(name);
      live.set(name, d.entry);
    }
  }
}

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
  if (root === 'deletedsecrets') {
    if (name === undefined && method === 'GET') {
      return page(scope, '/deletedsecrets', [...scope.deletedSecrets.values()].map((d) => deletedBundle(scope, d)), query);
    }
    const d = name === undefined ? undefined : scope.deletedSecrets.get(name);
    if (!d || name === undefined) throw new VaultError(404, 'SecretNotFound', deletedNotFound('secret'));
    if (method === 'GET' && third === undefined) return { status: 200, body: deletedBundle(scope, d) };
    if (method === 'DELETE' && third === undefined) {
      checkNameFree('Secret', name, undefined, recoveringNow(d));
      scope.deletedSecrets.delete(name);
      return { status: 204 };
    }
    if (method === 'POST' && third === 'recover') {
      checkNameFree('Secret', name, undefined, recoveringNow(d));
      finishOrStartRecovery(scope.deletedSecrets, scope.secrets, name, d, scope.recoveryDelayMs);
      return { status: 200, body: bundle(scope, name, d.entry.versions.at(-1)!, false) };
    }
    throw badParameter(`Method ${method} is not supported on deleted secrets.`);
  }
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
      attributes: attrsFromBody(b.attributes),
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
    const v = findVersion(scope, name, third || undefined);
    if (!v.attributes.enabled) throw new VaultError(403, 'Forbidden', 'Operation get is not allowed on a disabled secret.', 'SecretDisabled');
    return { status: 200, body: bundle(scope, name, v, true) };
  }
  if (method === 'PATCH') {
    const v = findVersion(scope, name, third || undefined);
    const b = (body ?? {}) as Record<string, unknown>;
    v.attributes = attrsFromBody(b.attributes, v.attributes);
    if (typeof b.contentType === 'string') v.contentType = b.contentType;
    if (b.tags && typeof b.tags === 'object') v.tags = b.tags as Record<string, string>;
    return { status: 200, body: bundle(scope, name, v, false) };
  }
  if (method === 'DELETE' && third === undefined) {
    const entry = scope.secrets.get(name);
    if (!entry) throw new VaultError(404, 'SecretNotFound', notFound('secret', name));
    scope.secrets.delete(name);
    const now = nowS();
    const d: DeletedEntry<SecretEntry> = { entry, deletedDate: now, scheduledPurgeDate: now + scope.recoverableDays * 86_400 };
    scope.deletedSecrets.set(name, d);
    return { status: 200, body: deletedBundle(scope, d) };
  }
  throw badParameter(`Method ${method} is not supported on secrets.`);
}
