import type { Agent as HttpsAgent } from 'node:https';
import type { Agent as UndiciAgent } from 'undici';
import type { FirewallRules, Permissions } from './access.js';
import type { Fault, FaultMatch } from './faults.js';
import type { MintClaims, RegisteredClient } from './issuer.js';
import type { ThrottlingOptions } from './throttle.js';

export type { FirewallRules, Permissions, MintClaims, RegisteredClient, Fault, FaultMatch, ThrottlingOptions };

/** Options of {@link start}. Every one is optional. */
export interface StartOptions {
  /** Vault name: the vault URL is `https://<vaultName>.vault.azure.net:<port>`. Default `fakevault`. */
  vaultName?: string;
  /** Port on 127.0.0.1; default 0 (any free port). */
  port?: number;
  /** Serve plain HTTP instead of HTTPS (benchmarks with fetch; the Azure SDK refuses bearer tokens over HTTP). */
  http?: boolean;
  /** `x-ms-keyvault-region` and the `location=` in 403 texts. Default `eastus`. */
  region?: string;
  /** Tenant of the vault and of the default client. Default: a random GUID. */
  tenantId?: string;
  /** Client id of the default app registration. Default: a random GUID. */
  clientId?: string;
  /** Secret of the default app registration. Default: random. */
  clientSecret?: string;
  /** Object id (`oid`) of the default app's service principal. Default: a random GUID. */
  objectId?: string;
  /** Grant the default client every permission (access-policy mode). Default true. */
  grantDefaultClient?: boolean;
  /** The client address the vault sees (everything here is loopback). Default: the socket's address. */
  clientAddress?: string;
  /** Firewall rules; null or absent means all networks are allowed. */
  firewall?: FirewallRules | null;
  /** Soft-delete retention reported by the vault. Default 90. */
  recoverableDays?: number;
  /** How long a recovery stays in progress (409 ObjectIsBeingRecovered meanwhile). Default 0. */
  recoveryDelayMs?: number;
  /** Authorization model: vault access policies or Azure RBAC. Default `access-policy`. */
  authorization?: 'access-policy' | 'rbac';
  /** Default propagation delay of role assignments made with assignRole(), in ms. Default 0. */
  rbacPropagationMs?: number;
  /** Subscription and resource group in RBAC texts. Defaults: a random GUID, `fake-vault-rg`. */
  subscriptionId?: string;
  resourceGroup?: string;
  /** Enforce DESIGN.md's service limits (scaled); null or absent: no throttling by limits. */
  throttling?: ThrottlingOptions | null;
  /** gzip-encode every response body to clients that accept gzip. Default false. */
  gzip?: boolean;
}

/** Throttling switch: answer 429 to authenticated vault requests. */
export interface ThrottleSwitch {
  /** Seconds for `Retry-After`; null or absent sends no retry header (real vaults sometimes do that). */
  retryAfterS?: number | null;
  /** Throttle only this many requests, then let requests through again. Default: until switched off. */
  count?: number;
  /** Reason in the 429 text. Default `VaultRequestTypeLimitReached`. */
  reason?: 'VaultRequestTypeLimitReached' | 'VaultOperationLimitReached';
}

/** The shape of `@azure/core-auth`'s TokenCredential (kept local: no Azure dependency at runtime). */
export interface TokenCredentialLike {
  getToken(scopes: string | string[], options?: object): Promise<{ token: string; expiresOnTimestamp: number } | null>;
}

/** Options for `@azure/identity` credentials (ClientSecretCredential and friends). */
export interface CredentialOptions {
  authorityHost: string;
  disableInstanceDiscovery: true;
  agent: HttpsAgent;
}

/** A running fake vault. */
export interface FakeVault {
  /** `https://<name>.vault.azure.net:<port>` (or `http://` in HTTP mode). */
  readonly vaultUrl: string;
  readonly vaultName: string;
  /** `https://127.0.0.1:<port>`: the same server by address (vault paths go to the default vault). */
  readonly url: string;
  readonly port: number;
  /** PEM of the CA that signed the server certificate (empty in HTTP mode). */
  readonly ca: string;
  /** File holding `ca`, for `NODE_EXTRA_CA_CERTS` in child processes; removed by close(). */
  readonly caPath: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Object id (`oid`) of the default client. */
  readonly objectId: string;
  /** Pass as `authorityHost` to `@azure/identity` credentials (with `disableInstanceDiscovery: true`). */
  readonly authorityHost: string;
  readonly region: string;
  /** An https.Agent trusting the CA and resolving `*.vault.azure.net` to 127.0.0.1. */
  readonly agent: HttpsAgent;
  /** The vault URL in another cloud or a Managed HSM: `urlFor('managedhsm.azure.net')`, `urlFor('vault.azure.cn', 'other')`. */
  urlFor(suffix?: 'vault.azure.net' | 'vault.azure.cn' | 'vault.usgovcloudapi.net' | 'managedhsm.azure.net', name?: string): string;
  /** Client options for SecretClient / KeyClient / CryptographyClient: `{ agent }`. */
  clientOptions(): { agent: HttpsAgent };
  /** Options for ClientSecretCredential: authorityHost, disableInstanceDiscovery, agent. */
  credentialOptions(): CredentialOptions;
  /** A ClientSecretCredential for the default client (or `client`); needs `@azure/identity` installed. */
  credential(client?: RegisteredClient): Promise<TokenCredentialLike>;
  /** An undici dispatcher for `fetch(url, { dispatcher })`: trusts the CA, resolves vault hosts. */
  dispatcher(): UndiciAgent;
  /** Environment for a child process: NODE_EXTRA_CA_CERTS, KVTRACE_FAKE_VAULT_RESOLVE, AZURE_* of the default client. */
  env(): Record<string, string>;
  /** Signs a token with the issuer's key; defaults are the default client's valid vault token. */
  mintToken(claims?: MintClaims, client?: RegisteredClient): Promise<string>;
  /** Registers another app (in `tenantId`, default the vault's; other tenants become known to the issuer). */
  registerClient(client?: Partial<RegisteredClient>): RegisteredClient;
  /** Adds access-policy permissions for an object id (or a registered client). */
  grant(principal: string | RegisteredClient, permissions: Permissions): void;
  /** Removes permissions, or the principal's whole policy when none are given. */
  revoke(principal: string | RegisteredClient, permissions?: Permissions): void;
  /** Replaces the firewall rules; null allows every address. */
  setFirewall(rules: FirewallRules | null): void;
  /** The client address the vault reports and the firewall judges; null: the socket's address. */
  setClientAddress(address: string | null): void;
  /** Answer 429 from now on (see ThrottleSwitch); null switches it off. */
  setThrottle(throttle: ThrottleSwitch | null): void;
  /** Authorization model from now on. */
  setAuthorization(mode: 'access-policy' | 'rbac'): void;
  /** RBAC: assigns a built-in role (e.g. `Key Vault Secrets User`) at the vault (`/`) or `/secrets/<name>`, `/keys/<name>`; effective after `delayMs` (default rbacPropagationMs). */
  assignRole(principal: string | RegisteredClient, role: string, options?: { scope?: string; delayMs?: number }): void;
  /** RBAC: removes the principal's assignments of `role` (or all). */
  unassignRole(principal: string | RegisteredClient, role?: string): void;
  /** Enforce the service limits from now on (fresh windows); null switches limits off. */
  setThrottling(options: ThrottlingOptions | null): void;
  /** Weighted share of the vault's 10 s budget used so far (1.0 = exhausted). */
  utilization(vaultName?: string): number;
  /** Adds a fault scenario (forced status, latency, reset, truncated body, gzip). */
  inject(fault: Fault): void;
  /** Removes every fault scenario. */
  clearFaults(): void;
  /** How long recoveries stay in progress from now on, in ms. */
  setRecoveryDelay(ms: number): void;
  /** gzip-encode responses to clients that accept gzip. */
  setGzip(on: boolean): void;
  /** Vault requests received so far (all statuses; the last 10 000), for assertions. */
  readonly requests: readonly RecordedRequest[];
  close(): Promise<void>;
}

/** What the fake recorded about a request (never the token or a body). */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** HTTP status answered; 0 when a fault reset the connection. */
  readonly status: number;
  readonly authorized: boolean;
  readonly userAgent: string;
}
