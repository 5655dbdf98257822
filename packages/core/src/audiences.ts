import { VAULT_CLOUDS } from './vault-url.js';

/** Key Vault's application id; a v2 token for it carries this bare id as `aud`. */
export const KEYVAULT_APP_ID = 'cfa8b339-82a2-471a-a3c9-0fc0be7a4093' as const;

/** Every resource URL Key Vault and Managed HSM accept, one per cloud (no trailing slash). */
export const KEYVAULT_AUDIENCES: ReadonlySet<string> = new Set(VAULT_CLOUDS.map((c) => c.audience));

function withoutTrailingSlash(s: string): string {
  return s.endsWith('/') ? s.slice(0, -1) : s;
}

/**
 * Whether Key Vault accepts `aud`: exactly the expected resource URL (no
 * trailing slash) or Key Vault's bare application id. Rejected, as seen in the
 * wild: `https://vault.azure.net/`, `spn:cfa8b339-...`, the vault's own URL,
 * ARM's `https://management.azure.com/`. Without `expected`, any cloud's
 * resource URL is accepted.
 * @example isValidAudience('https://vault.azure.net/', 'https://vault.azure.net') // false
 */
export function isValidAudience(aud: string | undefined, expected?: string): boolean {
  if (typeof aud !== 'string' || aud.length === 0) return false;
  if (aud.toLowerCase() === KEYVAULT_APP_ID) return true;
  if (expected !== undefined && expected.length > 0) return aud.toLowerCase() === withoutTrailingSlash(expected).toLowerCase();
  return KEYVAULT_AUDIENCES.has(aud.toLowerCase());
}
