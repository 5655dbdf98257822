export type * from './types.js';
export * from './attributes.js';
export { VAULT_CLOUDS, isVaultHost, parseVaultUrl, redactUrl } from './vault-url.js';
export type { CloudHosts, ParseVaultUrlOptions, RedactUrlOptions } from './vault-url.js';
export { ClaimsCache, decodeAuthorization } from './claims.js';
export { parseChallenge, tenantFromAuthority } from './challenge.js';
