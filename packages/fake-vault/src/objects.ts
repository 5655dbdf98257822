/**
 * What secrets and keys share: attributes from a request body, version
 * lookup, list paging, and the soft-delete lifecycle (delete, list/get the
 * deleted, purge, recover). Key Vault answers these the same way for both
 * kinds, with only the kind's name in codes and texts, so they are written once.
 */
import { randomBytes } from 'node:crypto';
import { deletedNotFound, notFound } from './texts.js';
import { VaultError, badParameter, nowS } from './vault-error.js';
import type { VaultReply } from './vault-error.js';

export interface ObjectAttributes {
  enabled: boolean;
  nbf?: number | undefined;
  exp?: number | undefined;
  created: number;
  updated: number;
}

export interface DeletedEntry<T> {
  readonly entry: T;
  readonly deletedDate: number;
  readonly scheduledPurgeDate: number;
  /** While recovery runs (epoch ms), the name can be neither reused nor recovered again. */
  recoveringUntil?: number;
}

/** A named object with its versions, oldest first (the last one is current). */
export interface VersionedEntry<V> {
  readonly name: string;
  readonly versions: V[];
}

export type ObjectKind = 'Secret' | 'Key';

/** What any object request needs to know about the vault it hit. */
export interface VaultScope {
  readonly base: string;
  readonly apiVersion: string;
  readonly recoverableDays: number;
  /** How long a recovery stays in progress (ObjectIsBeingRecovered) before the object is back. */
  readonly recoveryDelayMs: number;
}

/** One kind's collections, as the shared soft-delete handlers see them. */
export interface ObjectStore<E> extends VaultScope {
  readonly kind: ObjectKind;
  readonly live: Map<string, E>;
  readonly deleted: Map<string, DeletedEntry<E>>;
  /** The JSON of a deleted object (GET, list item, and the answer to a delete). */
  deletedBundle(d: DeletedEntry<E>): Record<string, unknown>;
  /** The JSON a recover answers: the object's current version. */
  recoveredBundle(entry: E): Record<string, unknown>;
}

const lowerKind = (kind: ObjectKind) => (kind === 'Secret' ? 'secret' : 'key');

export function newVersion(): string {
  return randomBytes(16).toString('hex');
}

/** Attributes of a create (no `previous`) or an update: what the body leaves out is kept. */
export function attributesFromBody(raw: unknown, previous?: ObjectAttributes): ObjectAttributes {
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

/** The named version, or the current one; 404 SecretNotFound / KeyNotFound. */
export function findVersion<V extends { readonly version: string }>(kind: ObjectKind, live: Map<string, VersionedEntry<V>>, name: string, version: string | undefined): V {
  const entry = live.get(name);
  const v = version ? entry?.versions.find((x) => x.version === version) : entry?.versions.at(-1);
  if (!v) throw new VaultError(404, `${kind}NotFound`, notFound(lowerKind(kind), version ? `${name}/${version}` : name));
  return v;
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

/** Throws the 409s the vault answers while a name is soft-deleted or being recovered. */
export function checkNameFree(kind: ObjectKind, name: string, deleted: DeletedEntry<unknown> | undefined, recovering: boolean): void {
  if (recovering) {
    throw new VaultError(409, 'Conflict', `${kind} ${name} is currently being recovered and cannot be re-created; retry later.`, 'ObjectIsBeingRecovered');
  }
  if (deleted) {
    throw new VaultError(409, 'Conflict', `${kind} ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the ${lowerKind(kind)} can only be recovered or purged.`, 'ObjectIsDeletedButRecoverable');
  }
}

/** Recovers at once, or marks the recovery in progress; settleRecoveries() completes it later. */
function finishOrStartRecovery<T>(deleted: Map<string, DeletedEntry<T>>, live: Map<string, T>, name: string, d: DeletedEntry<T>, delayMs: number): void {
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

/** DELETE of a live object: it moves to the deleted collection until purged or recovered. */
export function softDelete<E>(store: ObjectStore<E>, name: string): VaultReply {
  const entry = store.live.get(name);
  if (!entry) throw new VaultError(404, `${store.kind}NotFound`, notFound(lowerKind(store.kind), name));
  store.live.delete(name);
  const now = nowS();
  const d: DeletedEntry<E> = { entry, deletedDate: now, scheduledPurgeDate: now + store.recoverableDays * 86_400 };
  store.deleted.set(name, d);
  return { status: 200, body: store.deletedBundle(d) };
}

/**
 * Requests on the deleted collection (`/deletedsecrets`, `/deletedkeys`):
 * list, get, purge (DELETE) and recover (POST .../recover). `sub` is the
 * segment after the name.
 */
export function handleDeleted<E>(
  store: ObjectStore<E>,
  method: string,
  name: string | undefined,
  sub: string | undefined,
  query: URLSearchParams,
  recovering: (d: DeletedEntry<unknown> | undefined) => boolean,
): VaultReply {
  const collection = `/deleted${lowerKind(store.kind)}s`;
  if (name === undefined && method === 'GET') return page(store, collection, [...store.deleted.values()].map((d) => store.deletedBundle(d)), query);
  const d = name === undefined ? undefined : store.deleted.get(name);
  if (!d || name === undefined) throw new VaultError(404, `${store.kind}NotFound`, deletedNotFound(lowerKind(store.kind)));
  if (method === 'GET' && sub === undefined) return { status: 200, body: store.deletedBundle(d) };
  if (method === 'DELETE' && sub === undefined) {
    checkNameFree(store.kind, name, undefined, recovering(d));
    store.deleted.delete(name);
    return { status: 204 };
  }
  if (method === 'POST' && sub === 'recover') {
    checkNameFree(store.kind, name, undefined, recovering(d));
    finishOrStartRecovery(store.deleted, store.live, name, d, store.recoveryDelayMs);
    return { status: 200, body: store.recoveredBundle(d.entry) };
  }
  throw badParameter(`Method ${method} is not supported on deleted ${lowerKind(store.kind)}s.`);
}
