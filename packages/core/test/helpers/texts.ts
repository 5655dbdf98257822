/**
 * Key Vault's real error bodies, verbatim from DESIGN.md "Real error texts"
 * (plus the few codes the design table names without quoting a message).
 */
import { APP_ID, OBJECT_ID, OTHER_TENANT, TENANT } from './tokens.js';

const body = (code: string, message: string, inner?: string) =>
  JSON.stringify({ error: inner ? { code, message, innererror: { code: inner } } : { code, message } });

export const CALLER = `appid=${APP_ID};oid=${OBJECT_ID};iss=https://sts.windows.net/${TENANT}/`;

export const BODIES = {
  noToken: '{"error":{"code":"Unauthorized","message":"AKV10000: Request is missing a Bearer or PoP token."}}',
  audience: body('Unauthorized', 'AKV10022: Invalid audience. Expected https://vault.azure.net, found: https://management.azure.com/.'),
  issuer: body(
    'Unauthorized',
    `AKV10032: Invalid issuer. Expected one of https://sts.windows.net/${TENANT}/, https://sts.windows.net/f8cdef31-a31e-4b4a-93e4-5f571e91255a/, found https://sts.windows.net/${OTHER_TENANT}/.`,
  ),
  expired: body('Unauthorized', "[TokenExpired] Error validating token: 'S2S12086'."),
  expiredIdx: body('Unauthorized', 'IDX10223: Lifetime validation failed. The token is expired.'),
  notYetValid: body('Unauthorized', "[TokenNotYetValid] Error validating token: 'S2S12085'."),
  accessPolicy: body(
    'Forbidden',
    `The user, group or application '${CALLER}' does not have secrets get permission on key vault 'myvault;location=westeurope'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`,
    'AccessDenied',
  ),
  rbac: body(
    'Forbidden',
    'Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\n' +
      `Caller: ${CALLER}\r\nAction: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'\r\n` +
      "Resource: '/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/rg/providers/microsoft.keyvault/vaults/myvault/secrets/db-password'\r\n" +
      "Assignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: 'DeniedWithNoValidRBAC' \r\nVault: myvault;location=westeurope\r\n",
    'ForbiddenByRbac',
  ),
  firewall: body(
    'Forbidden',
    `Client address is not authorized and caller is not a trusted service.\r\nClient address: 203.0.113.7 from unknown subnet\r\nCaller: ${CALLER}\r\nVault: myvault;location=westeurope`,
    'ForbiddenByFirewall',
  ),
  secretDisabled: body('Forbidden', 'Operation get is not allowed on a disabled secret.', 'SecretDisabled'),
  keyOperation: body('Forbidden', 'Operation "sign" is not allowed on this key.', 'KeyOperationForbidden'),
  deletedRecoverable: body(
    'Conflict',
    'Secret db-password is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.',
    'ObjectIsDeletedButRecoverable',
  ),
  beingRecovered: body('Conflict', 'Secret db-password is currently being recovered, and its name cannot be reused.', 'ObjectIsBeingRecovered'),
  throttled: '{"error":{"code":"Throttled","message":"Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached"}}',
  throttledOperation: body('Throttled', 'Request was not processed because too many requests were received. Reason: VaultOperationLimitReached'),
  badName: body('BadParameter', 'The request URI contains an invalid name: db_password'),
  badApiVersion: body('BadParameter', "The specified api-version '7.6' is not supported by this vault."),
} as const;

export const CHALLENGE = `Bearer authorization="https://login.windows.net/${TENANT}", resource="https://vault.azure.net"`;
export const CAE_CHALLENGE =
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZSwgInZhbHVlIjoiMTYwMzc0MjgwMCJ9fX0="';
export const SDK_USER_AGENT = 'azsdk-js-keyvault-secrets/4.11.2 core-rest-pipeline/1.22.0 Node/20.20.2 OS/(x64-Linux-6.1)';
