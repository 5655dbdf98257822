import type { Caller } from './auth.js';
import { VaultError } from './vault-error.js';
import { forbiddenByRbac } from './texts.js';

const P = 'Microsoft.KeyVault/vaults';

/** Data actions of Key Vault's built-in roles (Azure built-in role definitions). */
export const ROLES: Record<string, readonly string[]> = {
  'Key Vault Administrator': [`${P}/*`],
  'Key Vault Secrets Officer': [`${P}/secrets/*`, `${P}/deletedSecrets/*`],
  'Key Vault Secrets User': [`${P}/secrets/getSecret/action`, `${P}/secrets/readMetadata/action`],
  'Key Vault Crypto Officer': [`${P}/keys/*`, `${P}/deletedKeys/*`],
  'Key Vault Crypto User': [
    `${P}/keys/read`, `${P}/keys/update/action`, `${P}/keys/backup/action`, `${P}/keys/encrypt/action`, `${P}/keys/decrypt/action`,
    `${P}/keys/wrap/action`, `${P}/keys/unwrap/action`, `${P}/keys/sign/action`, `${P}/keys/verify/action`,
  ],
  'Key Vault Reader': [`${P}/secrets/readMetadata/action`, `${P}/keys/read`, `${P}/deletedSecrets/readMetadata/action`, `${P}/deletedKeys/read`],
};

const SECRET_ACTIONS: Record<string, string> = {
  get: `${P}/secrets/getSecret/action`,
  set: `${P}/secrets/setSecret/action`,
  list: `${P}/secrets/readMetadata/action`,
  update: `${P}/secrets/update/action`,
  delete: `${P}/secrets/delete`,
  backup: `${P}/secrets/backup/action`,
  recover: `${P}/deletedSecrets/recover/action`,
  getDeleted: `${P}/deletedSecrets/readMetadata/action`,
  listDeleted: `${P}/deletedSecrets/readMetadata/action`,
  purge: `${P}/deletedSecrets/delete`,
};

const KEY_ACTIONS: Record<string, string> = {
  get: `${P}/keys/read`,
  list: `${P}/keys/read`,
  create: `${P}/keys/create/action`,
  update: `${P}/keys/update/action`,
  delete: `${P}/keys/delete`,
  sign: `${P}/keys/sign/action`,
  verify: `${P}/keys/verify/action`,
  encrypt: `${P}/keys/encrypt/action`,
  decrypt: `${P}/keys/decrypt/action`,
  wrapKey: `${P}/keys/wrap/action`,
  unwrapKey: `${P}/keys/unwrap/action`,
  recover: `${P}/deletedKeys/recover/action`,
  getDeleted: `${P}/deletedKeys/read`,
  listDeleted: `${P}/deletedKeys/read`,
  purge: `${P}/deletedKeys/delete`,
};

export function actionOf(collection: 'secrets' | 'keys', operation: string): string {
  return (collection === 'secrets' ? SECRET_ACTIONS : KEY_ACTIONS)[operation] ?? `${P}/${collection}/${operation}/action`;
}

/** A role assignment: who, which role, where (vault, or `secrets/<name>`, `keys/<name>`), effective from when. */
export interface RoleAssignment {
  readonly principalId: string;
  readonly role: string;
  /** `/` for the whole vault, or `/secrets/<name>` / `/keys/<name>`. */
  readonly scope: string;
  /** Epoch ms from which the vault sees it (propagation delay). */
  readonly effectiveAt: number;
}

function matches(pattern: string, action: string): boolean {
  return pattern.endsWith('/*') ? action.toLowerCase().startsWith(pattern.slice(0, -1).toLowerCase()) : pattern.toLowerCase() === action.toLowerCase();
}

export class RoleAssignments {
  readonly assignments: RoleAssignment[] = [];

  assign(principalId: string, role: string, scope = '/', delayMs = 0): void {
    if (!ROLES[role]) throw new TypeError(`fake-vault: unknown role '${role}'; known roles: ${Object.keys(ROLES).join(', ')}`);
    this.assignments.push({ principalId, role, scope: scope.startsWith('/') ? scope : `/${scope}`, effectiveAt: Date.now() + delayMs });
  }

  unassign(principalId: string, role?: string): void {
    for (let i = this.assignments.length - 1; i >= 0; i--) {
      const a = this.assignments[i]!;
      if (a.principalId === principalId && (role === undefined || a.role === role)) this.assignments.splice(i, 1);
    }
  }

  /** `objectPath` is `/secrets/<name>` or `/keys/<name>` or `/` for collection-level operations. */
  check(caller: Caller, action: string, objectPath: string, resourceId: string, vault: string, region: string): void {
    const now = Date.now();
    const allowed = this.assignments.some(
      (a) =>
        a.principalId === caller.oid &&
        a.effectiveAt <= now &&
        (a.scope === '/' || objectPath === a.scope || objectPath.startsWith(`${a.scope}/`)) &&
        ROLES[a.role]!.some((p) => matches(p, action)),
    );
    if (allowed) return;
    const resource = objectPath === '/' ? resourceId : `${resourceId}${objectPath}`;
    throw new VaultError(403, 'Forbidden', forbiddenByRbac(caller.label, action, resource, vault, region), 'ForbiddenByRbac');
  }
}
