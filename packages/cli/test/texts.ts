import { APP_ID, OID, OTHER_TENANT, TENANT } from './helpers.js';

/** Key Vault error bodies with the real texts of DESIGN.md "Real error texts". */
function body(code: string, message: string, inner?: string): string {
  return JSON.stringify({ error: { code, message, ...(inner ? { innererror: { code: inner } } : {}) } });
}

const caller = `appid=${APP_ID};oid=${OID};iss=https://sts.windows.net/${TENANT}/`;

export const NO_TOKEN = '{"error":{"code":"Unauthorized","message":"AKV10000: Request is missing a Bearer or PoP token."}}';
export const WRONG_AUDIENCE = body(
  'Unauthorized',
  'AKV10022: Invalid audience. Expected https://vault.azure.net, found: https://management.azure.com/.',
);
export const WRONG_ISSUER = body(
  'Unauthorized',
  `AKV10032: Invalid issuer. Expected one of https://sts.windows.net/${TENANT}/, https://login.microsoftonline.com/${TENANT}/v2.0, found https://sts.windows.net/${OTHER_TENANT}/.`,
);
export const TOKEN_EXPIRED = body('Unauthorized', "[TokenExpired] Error validating token: 'S2S12086'.");
export const ACCESS_POLICY = body(
  'Forbidden',
  `The user, group or application '${caller}' does not have secrets get permission on key vault 'myvault;location=westeurope'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`,
  'AccessDenied',
);
export const RBAC = body(
  'Forbidden',
  `Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: ${caller}\r\nAction: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'\r\nResource: '/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/rg/providers/microsoft.keyvault/vaults/myvault/secrets/db-password'\r\nAssignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: 'DeniedWithNoValidRBAC' \r\nVault: myvault;location=westeurope\r\n`,
  'ForbiddenByRbac',
);
export const FIREWALL = body(
  'Forbidden',
  `Client address is not authorized and caller is not a trusted service.\r\nClient address: 203.0.113.7 from unknown subnet\r\nCaller: ${caller}\r\nVault: myvault;location=westeurope`,
  'ForbiddenByFirewall',
);
export const THROTTLED = '{"error":{"code":"Throttled","message":"Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached"}}';
