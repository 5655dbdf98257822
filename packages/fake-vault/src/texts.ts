/**
 * Key Vault's and Entra ID's own error texts, verbatim (see DESIGN.md "Real
 * error texts"). kvtrace recognises failures by these strings, so they must
 * not be paraphrased here.
 */

export interface ErrorBody {
  readonly error: { code: string; message: string; innererror?: { code: string } };
}

export function errorBody(code: string, message: string, innerCode?: string): ErrorBody {
  return innerCode === undefined
    ? { error: { code, message } }
    : { error: { code, message, innererror: { code: innerCode } } };
}

export const AKV10000 = 'AKV10000: Request is missing a Bearer or PoP token.';

export function akv10022(expected: string, found: string): string {
  return `AKV10022: Invalid audience. Expected ${expected}, found: ${found}.`;
}

export function akv10032(validIssuers: readonly string[], found: string): string {
  return `AKV10032: Invalid issuer. Expected one of ${validIssuers.join(', ')}, found ${found}.`;
}

export const TOKEN_EXPIRED = "[TokenExpired] Error validating token: 'S2S12086'.";
export const TOKEN_NOT_YET_VALID = "[TokenNotYetValid] Error validating token: 'S2S12085'.";
/** A bearer value that is not a JWT (an opaque token). */
export const TOKEN_MALFORMED = 'AKV10001: Unable to parse token.';

/** A JWT signed by a key the issuer does not publish (seen in the wild, Central US 2026). */
export function akv10046(encodedHeader: string): string {
  return `AKV10046: Unable to resolve the key used for signature validation. EncodedJwtHeader: '${encodedHeader}'`;
}

/** `caller` is `appid=<a>;oid=<o>;iss=<i>`. */
export function accessDenied(caller: string, collection: string, permission: string, vault: string, region: string): string {
  return (
    `The user, group or application '${caller}' does not have ${collection} ${permission} permission on key vault ` +
    `'${vault};location=${region}'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`
  );
}

export function forbiddenByFirewall(clientAddress: string, caller: string, vault: string, region: string): string {
  return (
    'Client address is not authorized and caller is not a trusted service.\r\n' +
    `Client address: ${clientAddress} from unknown subnet\r\n` +
    `Caller: ${caller}\r\n` +
    `Vault: ${vault};location=${region}`
  );
}

/** `resource` is the lower-cased ARM id the vault prints, e.g. `/subscriptions/<s>/resourcegroups/<g>/providers/microsoft.keyvault/vaults/<v>/secrets/<n>`. */
export function forbiddenByRbac(caller: string, action: string, resource: string, vault: string, region: string): string {
  return (
    'Caller is not authorized to perform action on resource.\r\n' +
    'If role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\n' +
    `Caller: ${caller}\r\n` +
    `Action: '${action}'\r\n` +
    `Resource: '${resource}'\r\n` +
    'Assignment: (not found)\r\n' +
    'DenyAssignmentId: null\r\n' +
    "DecisionReason: 'DeniedWithNoValidRBAC' \r\n" +
    `Vault: ${vault};location=${region}\r\n`
  );
}

export type ThrottleReason = 'VaultRequestTypeLimitReached' | 'VaultOperationLimitReached';

export function throttled(reason: ThrottleReason): string {
  return `Request was not processed because too many requests were received. Reason: ${reason}`;
}

export function notFound(kind: 'secret' | 'key', nameOrId: string): string {
  return (
    `A ${kind} with (name/id) ${nameOrId} was not found in this key vault. If you recently deleted this ${kind} ` +
    `you may be able to recover it using the correct recovery command. For help resolving this issue, please see ` +
    `https://go.microsoft.com/fwlink/?linkid=2125182`
  );
}

export function deletedNotFound(kind: 'secret' | 'key'): string {
  return kind === 'secret' ? 'Deleted Secret not found' : 'Deleted Key not found';
}
