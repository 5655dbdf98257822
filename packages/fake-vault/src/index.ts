export { start } from './start.js';
export { isFakeHost, createLookup, installResolve } from './lookup.js';
export { VAULT_RESOURCE, VAULT_APP_ID } from './auth.js';
export { CLOUDS, parseVaultHost } from './clouds.js';
export type { VaultCloud } from './clouds.js';
export { API_VERSIONS } from './vault.js';
export { LIMITS, WINDOW_MS } from './throttle.js';
export { ROLES } from './rbac.js';
export type {
  StartOptions,
  FakeVault,
  ThrottleSwitch,
  CredentialOptions,
  TokenCredentialLike,
  RecordedRequest,
  FirewallRules,
  Permissions,
  MintClaims,
  RegisteredClient,
  Fault,
  FaultMatch,
  ThrottlingOptions,
} from './types.js';
