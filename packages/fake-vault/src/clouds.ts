/**
 * Vault host suffixes fake-vault answers for, with what the real service of
 * each cloud puts in its challenge. Tokens are always issued by this fake's
 * one issuer (sts.windows.net style); only audience and challenge differ.
 */
export interface VaultCloud {
  /** Host suffix without the leading dot, e.g. `vault.azure.net`. */
  readonly suffix: string;
  /** The audience the vault accepts and names in its challenge. */
  readonly resource: string;
  /** Authorization URI base in the challenge (the tenant is appended). */
  readonly login: string;
  readonly kind: 'vault' | 'managed_hsm';
}

export const CLOUDS: readonly VaultCloud[] = [
  { suffix: 'vault.azure.net', resource: 'https://vault.azure.net', login: 'https://login.windows.net', kind: 'vault' },
  { suffix: 'vault.azure.cn', resource: 'https://vault.azure.cn', login: 'https://login.chinacloudapi.cn', kind: 'vault' },
  { suffix: 'vault.usgovcloudapi.net', resource: 'https://vault.usgovcloudapi.net', login: 'https://login.microsoftonline.us', kind: 'vault' },
  { suffix: 'managedhsm.azure.net', resource: 'https://managedhsm.azure.net', login: 'https://login.microsoftonline.com', kind: 'managed_hsm' },
];

/** Key Vault's first-party application id, accepted as audience by vaults (not by Managed HSM). */
export const VAULT_APP_ID = 'cfa8b339-82a2-471a-a3c9-0fc0be7a4093';

/** `<name>.<suffix>` -> the vault name and its cloud; null for any other host. */
export function parseVaultHost(host: string): { name: string; cloud: VaultCloud } | null {
  const h = host.toLowerCase().replace(/\.$/, '');
  for (const cloud of CLOUDS) {
    if (!h.endsWith(`.${cloud.suffix}`)) continue;
    const name = h.slice(0, -cloud.suffix.length - 1);
    return /^[0-9a-z-]{3,24}$/.test(name) ? { name, cloud } : null;
  }
  return null;
}
