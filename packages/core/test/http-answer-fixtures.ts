/**
 * Real error objects for the http-answer tests: the Azure SDK's own RestError
 * and HttpHeaders, built the way @azure-rest/core-client's createRestError
 * and keyvault-secrets' error deserializer build them, with DESIGN.md's real
 * Key Vault texts. Tokens are minted here.
 */
import { RestError, createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import { SignJWT } from 'jose';

export const VAULT_URL = 'https://myvault.vault.azure.net/secrets/db-password?api-version=2025-07-01';
export const SDK_USER_AGENT = 'azsdk-js-keyvault-secrets/4.11.2 core-rest-pipeline/1.25.0 Node/v20.20.2 OS/(x64-Linux)';
export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const OTHER_TENANT = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';
export const APP_ID = '4c3a9d2e-6b1f-4c8e-9a7d-2f5e8b1c0d3a';
export const OID = '9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4';
export const CALLER = `appid=${APP_ID};oid=${OID};iss=https://sts.windows.net/${TENANT}/`;
export const SECRET_VALUE = 's3cr3t-Value-never-shown';

const KEY = new TextEncoder().encode('test-only-hmac-key-of-32-bytes!!');

/** A vault token as Entra ID would issue it (HS256 here: kvtrace decodes, never verifies). */
export async function mintToken(claims: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    aud: 'https://vault.azure.net',
    iss: `https://sts.windows.net/${TENANT}/`,
    tid: TENANT,
    appid: APP_ID,
    oid: OID,
    idtyp: 'app',
    iat: now - 60,
    nbf: now - 60,
    exp: now + 3600,
    ...claims,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(KEY);
}

export interface VaultFailure {
  status: number;
  code: string;
  message: string;
  inner?: string;
  headers?: Record<string, string>;
  token?: string | null;
  url?: string;
  method?: string;
}

/** The RestError the Key Vault SDK throws for a vault error response. */
export function vaultRestError(f: VaultFailure): RestError {
  const requestHeaders = createHttpHeaders({ 'user-agent': SDK_USER_AGENT });
  if (f.token) requestHeaders.set('authorization', `Bearer ${f.token}`);
  const request = createPipelineRequest({ url: f.url ?? VAULT_URL, method: (f.method ?? 'GET') as 'GET', headers: requestHeaders });
  const responseHeaders = createHttpHeaders({
    'content-type': 'application/json; charset=utf-8',
    'x-ms-request-id': 'a1b2c3d4-0000-4000-8000-000000000001',
    'x-ms-keyvault-region': 'westeurope',
    'x-ms-keyvault-network-info': 'conn_type=Ipv4;addr=203.0.113.7;act_addr_fam=InterNetwork;',
    ...f.headers,
  });
  const err = new RestError(f.message, {
    statusCode: f.status,
    code: f.code,
    request,
    response: { status: f.status, headers: responseHeaders, request },
  });
  // keyVaultErrorDeserializer: camelCase `innerError`, although the wire says `innererror`.
  err.details = { error: { code: f.code, message: f.message, ...(f.inner ? { innerError: { code: f.inner } } : {}) } };
  return err;
}

/** The RestError the SDK's node HTTP client throws when the socket fails. */
export function networkRestError(code: string, url = VAULT_URL): RestError {
  const request = createPipelineRequest({ url, method: 'GET' });
  return new RestError(`connect ${code} 127.0.0.1:443`, { code, request });
}

export const TEXTS = {
  noToken: 'AKV10000: Request is missing a Bearer or PoP token.',
  audience: 'AKV10022: Invalid audience. Expected https://vault.azure.net, found: https://management.azure.com/.',
  issuer: `AKV10032: Invalid issuer. Expected one of https://sts.windows.net/${TENANT}/, https://login.microsoftonline.com/${TENANT}/v2.0, found https://sts.windows.net/${OTHER_TENANT}/.`,
  expired: "[TokenExpired] Error validating token: 'S2S12086'.",
  accessPolicy: `The user, group or application '${CALLER}' does not have secrets get permission on key vault 'myvault;location=westeurope'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`,
  rbac:
    'Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\n' +
    `Caller: ${CALLER}\r\nAction: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'\r\nResource: '/subscriptions/0000/resourcegroups/rg/providers/microsoft.keyvault/vaults/myvault/secrets/db-password'\r\n` +
    "Assignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: 'DeniedWithNoValidRBAC' \r\nVault: myvault;location=westeurope\r\n",
  firewall:
    'Client address is not authorized and caller is not a trusted service.\r\nClient address: 203.0.113.7 from unknown subnet\r\n' +
    `Caller: ${CALLER}\r\nVault: myvault;location=westeurope`,
  throttled: 'Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached',
  notFound:
    'A secret with (name/id) db-password was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182',
  deletedRecoverable:
    'Secret db-password is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.',
  beingRecovered: 'Secret db-password is currently being recovered.  Wait until the recovery is complete, then try again.',
  disabled: 'Operation get is not allowed on a disabled secret.',
  keyOperation: 'Operation sign is not permitted on this key.',
  badVersion: 'The specified version (7.9) is not recognized. Consider using the latest supported version (2025-07-01).',
  internal: 'An unexpected error occurred.',
} as const;
