/**
 * Rows of DESIGN.md's middleware table as data: fake-vault's fault, RBAC,
 * recovery and firewall switches, and the client side's own failures
 * (refused, hanging, wrong or missing credential). The Express and the
 * Fastify tests run the same rows, so both adapters are held to one table.
 */
import { createHash, randomUUID } from 'node:crypto';
import { KeyClient } from '@azure/keyvault-keys';
import type { SecretClient } from '@azure/keyvault-secrets';
import { ClientSecretCredential, EnvironmentCredential } from '@azure/identity';
import type { TokenCredential } from '@azure/identity';
import { KeyVaultError } from '@kvtrace/core';
import type { HttpAnswerOptions } from '@kvtrace/core';
import type { FakeVault } from '@kvtrace/fake-vault';
import { closedPort, sdkClient, silentServer } from './vault-fixture.js';

export interface RowContext {
  readonly vault: FakeVault;
  readonly client: SecretClient;
  readonly credential: TokenCredential;
  /** A unique object name for this run of the row. */
  readonly name: string;
}

export interface Row {
  readonly title: string;
  readonly options?: Omit<HttpAnswerOptions, 'traceId'>;
  readonly arrange?: (ctx: RowContext) => Promise<void> | void;
  /** Runs in the route handler: the vault call that fails. */
  readonly call: (ctx: RowContext) => Promise<unknown>;
  readonly cleanup?: (ctx: RowContext) => Promise<void> | void;
  readonly status: number;
  readonly cause: string;
  /** Exact value, a [min, max] range in seconds, or undefined for none. */
  readonly retryAfter?: string | readonly [number, number];
  /** Vault text (or other strings) that must not reach the body (no `expose`). */
  readonly vaultText?: string | readonly string[];
}

const THROTTLED = 'Request was not processed because too many requests were received. Reason: VaultOperationLimitReached';
const CAE_CLAIMS = 'eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwidmFsdWUiOiIxNzAwMDAwMDAwIn19fQ==';

/** fetch + KeyVaultError, as a fetch user reports a failed vault call. */
export async function fetchVault(
  vault: FakeVault,
  path: string,
  init: { method?: string; token?: string | null; body?: unknown; apiVersion?: string } = {},
): Promise<unknown> {
  const url = `${vault.vaultUrl}${path}${path.includes('?') ? '&' : '?'}api-version=${init.apiVersion ?? '7.5'}`;
  const token = init.token === undefined ? await vault.mintToken() : init.token;
  const authorization = token === null ? null : `Bearer ${token}`;
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = authorization ? { authorization } : {};
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const body = init.body === undefined ? undefined : JSON.stringify(init.body);
  const res = await fetch(url, { method, headers, body, dispatcher: vault.dispatcher() } as RequestInit);
  if (!res.ok) throw await KeyVaultError.fromResponse(res, { url, method, authorization });
  return res.status === 204 ? undefined : res.json();
}

const getSecret = ({ client }: RowContext) => client.getSecret('db-password');
const WRONG_CLIENT_SECRET = 'wrong-client-secret-value';
/** A vault URL on 127.0.0.1 whose port is `port`: kvtrace-mw resolves there through fake-vault's dispatcher. */
const vaultAt = (port: number) => `https://kvtrace-mw.vault.azure.net:${port}`;
const revokeGet = ({ vault }: RowContext) => vault.revoke(vault.objectId, { secrets: ['get'] });
const grantGet = ({ vault }: RowContext) => vault.grant(vault.objectId, { secrets: ['get'] });
/** EnvironmentCredential made with no AZURE_* variable set: getToken throws CredentialUnavailableError. */
function credentialWithoutEnvironment(): TokenCredential {
  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) if (k.startsWith('AZURE_')) delete process.env[k];
  try {
    return new EnvironmentCredential();
  } finally {
    Object.assign(process.env, saved);
  }
}
const rbacOff = ({ vault }: RowContext) => {
  vault.unassignRole(vault.objectId);
  vault.setAuthorization('access-policy');
};

export const FAULT_ROWS: readonly Row[] = [
  {
    title: '429 with an HTTP-date Retry-After -> 503, Retry-After in seconds',
    arrange: ({ vault }) =>
      vault.inject({
        status: 429,
        body: { error: { code: 'Throttled', message: THROTTLED } },
        headers: { 'retry-after': new Date(Date.now() + 20_000).toUTCString() },
        match: { operation: 'get' },
        times: 1,
      }),
    call: getSecret,
    status: 503,
    cause: 'throttled',
    retryAfter: [18, 20],
    vaultText: 'VaultOperationLimitReached',
  },
  {
    title: '429 with x-ms-retry-after-ms -> 503, Retry-After rounded up to seconds',
    arrange: ({ vault }) =>
      vault.inject({
        status: 429,
        body: { error: { code: 'Throttled', message: THROTTLED } },
        headers: { 'x-ms-retry-after-ms': '1500' },
        match: { operation: 'get' },
        times: 1,
      }),
    call: getSecret,
    status: 503,
    cause: 'throttled',
    retryAfter: '2',
  },
  {
    title: '503 from the vault with Retry-After -> 503 with it',
    arrange: ({ vault }) => vault.inject({ status: 503, headers: { 'retry-after': '4' }, match: { operation: 'get' }, times: 1 }),
    call: getSecret,
    status: 503,
    cause: 'vault_unavailable',
    retryAfter: '4',
  },
  {
    title: '500 from the vault -> 503 with the configured backoff',
    options: { backoffS: 6 },
    arrange: ({ vault }) => vault.inject({ status: 500, match: { operation: 'get' }, times: 1 }),
    call: getSecret,
    status: 503,
    cause: 'vault_unavailable',
    retryAfter: '6',
  },
  {
    title: 'connection reset by the vault -> 503 network_error with the backoff',
    options: { backoffS: 2 },
    arrange: ({ vault }) => vault.inject({ reset: true, match: { operation: 'get' }, times: 1 }),
    call: getSecret,
    status: 503,
    cause: 'network_error',
    retryAfter: '2',
  },
  {
    title: 'a vault slower than the call timeout -> 504',
    arrange: ({ vault }) => vault.inject({ latencyMs: 2_000, match: { operation: 'get' }, times: 1 }),
    call: ({ client }) => client.getSecret('db-password', { abortSignal: AbortSignal.timeout(250) }),
    status: 504,
    cause: 'timeout',
  },
  {
    title: '403 rbac (no role assignment) -> 502',
    options: { backoffS: 1 },
    arrange: ({ vault }) => {
      vault.setAuthorization('rbac');
      vault.unassignRole(vault.objectId);
    },
    call: getSecret,
    cleanup: rbacOff,
    status: 502,
    cause: 'rbac',
    vaultText: 'DeniedWithNoValidRBAC',
  },
  {
    title: '403 rbac right after a role assignment, propagation retry on -> 503 + Retry-After',
    options: { propagationRetry: 30 },
    arrange: ({ vault }) => {
      vault.setAuthorization('rbac');
      vault.unassignRole(vault.objectId);
      vault.assignRole(vault.objectId, 'Key Vault Secrets User', { delayMs: 60_000 });
    },
    call: getSecret,
    cleanup: rbacOff,
    status: 503,
    cause: 'rbac',
    retryAfter: '30',
  },
  {
    title: '409 being_recovered (name reused while its recovery runs) -> 503 + Retry-After',
    options: { backoffS: 3 },
    arrange: async ({ vault, client, name }) => {
      await client.setSecret(name, 'v1');
      await (await client.beginDeleteSecret(name)).pollUntilDone();
      vault.setRecoveryDelay(60_000);
      await fetchVault(vault, `/deletedsecrets/${name}/recover`, { method: 'POST' });
    },
    call: ({ client, name }) => client.setSecret(name, 'v2'),
    cleanup: ({ vault }) => vault.setRecoveryDelay(0),
    status: 503,
    cause: 'being_recovered',
    retryAfter: '3',
    vaultText: 'currently being recovered',
  },
  {
    title: '401 claims_challenge (CAE insufficient_claims) -> 502, the claims stay out',
    arrange: ({ vault }) =>
      vault.inject({
        status: 401,
        headers: {
          'www-authenticate': `Bearer authorization="https://login.windows.net/${vault.tenantId}", error="insufficient_claims", claims="${CAE_CLAIMS}"`,
        },
        body: { error: { code: 'Unauthorized', message: 'Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp' } },
        match: { operation: 'get' },
        times: 1,
      }),
    call: ({ vault }) => fetchVault(vault, '/secrets/db-password'),
    status: 502,
    cause: 'claims_challenge',
    vaultText: CAE_CLAIMS,
  },
  {
    title: '403 key_operation_forbidden (sign with a verify-only key) -> 502',
    arrange: async ({ vault, credential, name }) => {
      const keys = new KeyClient(vault.vaultUrl, credential, vault.clientOptions());
      await keys.createEcKey(name, { curve: 'P-256', keyOps: ['verify'] });
    },
    // CryptographyClient refuses locally (a plain Error) once it knows the
    // key's ops, so the vault's own 403 is reached with fetch.
    call: ({ vault, name }) =>
      fetchVault(vault, `/keys/${name}/sign`, {
        method: 'POST',
        body: { alg: 'ES256', value: createHash('sha256').update('payload').digest('base64url') },
      }),
    status: 502,
    cause: 'key_operation_forbidden',
    vaultText: 'is not permitted on this key',
  },
  {
    title: '403 access_policy -> 502, the vault text stays out',
    arrange: revokeGet,
    call: getSecret,
    cleanup: grantGet,
    status: 502,
    cause: 'access_policy',
    vaultText: 'does not have secrets get',
  },
  {
    title: '403 access_policy, opt-in propagation retry -> 503 + Retry-After',
    options: { propagationRetry: 45 },
    arrange: revokeGet,
    call: getSecret,
    cleanup: grantGet,
    status: 503,
    cause: 'access_policy',
    retryAfter: '45',
  },
  {
    title: '403 firewall -> 502 even with propagation retry, the client address stays out',
    options: { propagationRetry: true },
    arrange: ({ vault }) => {
      vault.setFirewall({ allow: ['10.0.0.0/8'] });
      vault.setClientAddress('203.0.113.9');
    },
    call: getSecret,
    cleanup: ({ vault }) => {
      vault.setFirewall(null);
      vault.setClientAddress(null);
    },
    status: 502,
    cause: 'firewall',
    vaultText: '203.0.113.9',
  },
  {
    title: '409 deleted_recoverable (name of a soft-deleted secret reused) -> 502',
    arrange: async ({ client, name }) => {
      await client.setSecret(name, 'v1');
      await (await client.beginDeleteSecret(name)).pollUntilDone();
    },
    call: ({ client, name }) => client.setSecret(name, 'v2'),
    status: 502,
    cause: 'deleted_recoverable',
  },
  {
    title: 'network error (nothing listens) -> 503 with the configured backoff',
    options: { backoffS: 4 },
    call: async ({ vault, credential }) => sdkClient(vault, credential, vaultAt(await closedPort())).getSecret('db-password'),
    status: 503,
    cause: 'network_error',
    retryAfter: '4',
  },
  {
    title: 'timeout (a vault that accepts and never answers) -> 504',
    call: async ({ vault, credential }) => {
      const silent = await silentServer();
      try {
        return await sdkClient(vault, credential, vaultAt(silent.port)).getSecret('db-password', { abortSignal: AbortSignal.timeout(300) });
      } finally {
        await silent.close();
      }
    },
    status: 504,
    cause: 'timeout',
  },
  {
    title: 'ClientSecretCredential with a wrong secret -> 502 authentication_failed, the AADSTS text stays out',
    call: ({ vault }) =>
      sdkClient(vault, new ClientSecretCredential(vault.tenantId, vault.clientId, WRONG_CLIENT_SECRET, vault.credentialOptions())).getSecret('db-password'),
    status: 502,
    cause: 'authentication_failed',
    vaultText: ['AADSTS7000215', WRONG_CLIENT_SECRET],
  },
  {
    title: 'CredentialUnavailableError (no credential configured) -> 503 with the configured backoff',
    options: { backoffS: 20 },
    call: ({ vault }) => sdkClient(vault, credentialWithoutEnvironment()).getSecret('db-password'),
    status: 503,
    cause: 'credential_unavailable',
    retryAfter: '20',
  },
];

export function rowContext(vault: FakeVault, client: SecretClient, credential: TokenCredential): RowContext {
  return { vault, client, credential, name: `row-${randomUUID().slice(0, 8)}` };
}
