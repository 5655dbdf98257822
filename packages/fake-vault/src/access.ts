import type { Caller } from './auth.js';
import { VaultError } from './vault-error.js';
import { accessDenied, forbiddenByFirewall } from './texts.js';

/** Permissions per collection, as in a vault access policy. */
export interface Permissions {
  secrets?: readonly string[];
  keys?: readonly string[];
  certificates?: readonly string[];
}

export type Collection = keyof Permissions;

export const ALL_PERMISSIONS: Required<Permissions> = {
  secrets: ['get', 'list', 'set', 'delete', 'recover', 'backup', 'restore', 'purge'],
  keys: ['get', 'list', 'update', 'create', 'import', 'delete', 'recover', 'backup', 'restore', 'decrypt', 'encrypt', 'unwrapKey', 'wrapKey', 'verify', 'sign', 'purge', 'release', 'rotate', 'getrotationpolicy', 'setrotationpolicy'],
  certificates: ['get', 'list', 'update', 'create', 'import', 'delete', 'recover', 'backup', 'restore', 'managecontacts', 'manageissuers', 'getissuers', 'listissuers', 'setissuers', 'deleteissuers', 'purge'],
};

/** Access policies keyed by object id (the token's `oid`). */
export class AccessPolicies {
  private readonly byObjectId = new Map<string, Record<Collection, Set<string>>>();

  grant(objectId: string, permissions: Permissions): void {
    const entry = this.byObjectId.get(objectId) ?? { secrets: new Set(), keys: new Set(), certificates: new Set() };
    for (const collection of ['secrets', 'keys', 'certificates'] as const) {
      for (const p of permissions[collection] ?? []) entry[collection].add(p);
    }
    this.byObjectId.set(objectId, entry);
  }

  /** Removes the given permissions, or the whole policy when none are given. */
  revoke(objectId: string, permissions?: Permissions): void {
    const entry = this.byObjectId.get(objectId);
    if (!entry) return;
    if (!permissions) {
      this.byObjectId.delete(objectId);
      return;
    }
    for (const collection of ['secrets', 'keys', 'certificates'] as const) {
      for (const p of permissions[collection] ?? []) entry[collection].delete(p);
    }
  }

  allows(objectId: string, collection: Collection, permission: string): boolean {
    return this.byObjectId.get(objectId)?.[collection].has(permission) ?? false;
  }

  check(caller: Caller, collection: Collection, permission: string, vault: string, region: string): void {
    if (this.allows(caller.oid, collection, permission)) return;
    throw new VaultError(403, 'Forbidden', accessDenied(caller.label, collection, permission, vault, region), 'AccessDenied');
  }
}

/** The vault firewall: allowed client addresses (exact IPv4 or CIDR). */
export interface FirewallRules {
  /** Addresses or IPv4 CIDR ranges allowed through. */
  readonly allow: readonly string[];
}

function ipv4ToInt(ip: string): number | null {
  const parts = ip.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255) return null;
    n = n * 256 + v;
  }
  return n;
}

export function addressAllowed(address: string, allow: readonly string[]): boolean {
  return allow.some((rule) => {
    const [net, bitsText] = rule.split('/');
    if (bitsText === undefined) return rule === address;
    const bits = Number(bitsText);
    const a = ipv4ToInt(address);
    const b = ipv4ToInt(net ?? '');
    if (a === null || b === null || !(bits >= 0 && bits <= 32)) return false;
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    return ((a & mask) >>> 0) === ((b & mask) >>> 0);
  });
}

export function checkFirewall(rules: FirewallRules | null, clientAddress: string, caller: Caller, vault: string, region: string): void {
  if (!rules || addressAllowed(clientAddress, rules.allow)) return;
  throw new VaultError(403, 'Forbidden', forbiddenByFirewall(clientAddress, caller.label, vault, region), 'ForbiddenByFirewall');
}
