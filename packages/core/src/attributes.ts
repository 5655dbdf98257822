import type { Cause } from './types.js';

/**
 * kvtrace's telemetry contract: attribute, event and metric names exactly as
 * DESIGN.md spells them. Dashboards and alerts depend on these strings.
 */

/** Always `Microsoft.KeyVault` on vault spans. */
export const ATTR_AZURE_RESOURCE_PROVIDER_NAMESPACE = 'azure.resource_provider.namespace' as const;
/** The vault's `x-ms-request-id` response header. */
export const ATTR_AZURE_SERVICE_REQUEST_ID = 'azure.service.request.id' as const;
/** The vault's region from `x-ms-keyvault-region` (not `cloud.region`, the app's own). */
export const ATTR_KEYVAULT_VAULT_REGION = 'keyvault.vault.region' as const;
/** Vault name: the first DNS label of the vault host. */
export const ATTR_KEYVAULT_VAULT_NAME = 'keyvault.vault.name' as const;
/** `vault` or `managed_hsm`. */
export const ATTR_KEYVAULT_VAULT_KIND = 'keyvault.vault.kind' as const;
/** Operation name, e.g. `secrets.get`, `keys.sign`, `secrets.other`. */
export const ATTR_KEYVAULT_OPERATION = 'keyvault.operation' as const;
/** Secret, key or certificate name (dropped with `recordObjectNames: false`). */
export const ATTR_KEYVAULT_OBJECT_NAME = 'keyvault.object.name' as const;
/** `api-version` query parameter. */
export const ATTR_KEYVAULT_API_VERSION = 'keyvault.api_version' as const;
/** The `x-ms-client-request-id` header. */
export const ATTR_KEYVAULT_CLIENT_REQUEST_ID = 'keyvault.client_request_id' as const;
/** Client address the vault saw, from `x-ms-keyvault-network-info` `addr`. */
export const ATTR_KEYVAULT_NETWORK_CLIENT_ADDRESS = 'keyvault.network.client_address' as const;
/** Connection type from `x-ms-keyvault-network-info` `conn_type` (`Ipv4`, `PrivateLink`, ...). */
export const ATTR_KEYVAULT_NETWORK_CONNECTION_TYPE = 'keyvault.network.connection_type' as const;
/** Whether an Authorization header was sent. */
export const ATTR_KEYVAULT_TOKEN_PRESENT = 'keyvault.token.present' as const;
/** `jwt` or `opaque`. */
export const ATTR_KEYVAULT_TOKEN_FORMAT = 'keyvault.token.format' as const;
/** Token `aud` claim. */
export const ATTR_KEYVAULT_TOKEN_AUD = 'keyvault.token.aud' as const;
/** Token `iss` claim. */
export const ATTR_KEYVAULT_TOKEN_ISS = 'keyvault.token.iss' as const;
/** Token `tid` claim. */
export const ATTR_KEYVAULT_TOKEN_TID = 'keyvault.token.tid' as const;
/** Token `appid` (v1) or `azp` (v2) claim. */
export const ATTR_KEYVAULT_TOKEN_APPID = 'keyvault.token.appid' as const;
/** Token `oid` claim. */
export const ATTR_KEYVAULT_TOKEN_OID = 'keyvault.token.oid' as const;
/** Token `idtyp` claim (`app`, `user`). */
export const ATTR_KEYVAULT_TOKEN_IDTYP = 'keyvault.token.idtyp' as const;
/** Token `iat` claim, epoch seconds. */
export const ATTR_KEYVAULT_TOKEN_IAT = 'keyvault.token.iat' as const;
/** Token `nbf` claim, epoch seconds. */
export const ATTR_KEYVAULT_TOKEN_NBF = 'keyvault.token.nbf' as const;
/** Token `exp` claim, epoch seconds. */
export const ATTR_KEYVAULT_TOKEN_EXP = 'keyvault.token.exp' as const;
/** Seconds the token had left at send time (negative when expired). */
export const ATTR_KEYVAULT_TOKEN_EXPIRES_IN_S = 'keyvault.token.expires_in_s' as const;
/** `resource` of the vault's WWW-Authenticate challenge. */
export const ATTR_KEYVAULT_CHALLENGE_RESOURCE = 'keyvault.challenge.resource' as const;
/** Tenant from the challenge's authorization URL. */
export const ATTR_KEYVAULT_CHALLENGE_TENANT = 'keyvault.challenge.tenant' as const;
/** `ok`, `challenge`, `unauthenticated`, `forbidden`, `throttled`, `not_found`, `conflict` or `error`. */
export const ATTR_KEYVAULT_OUTCOME = 'keyvault.outcome' as const;
/** Cause code (DESIGN.md cause table); metrics use {@link CAUSE_NONE} when there is none. */
export const ATTR_KEYVAULT_CAUSE = 'keyvault.cause' as const;
/** One sentence a person can act on. */
export const ATTR_KEYVAULT_HINT = 'keyvault.hint' as const;
/** `error.code` of the vault's error body. */
export const ATTR_KEYVAULT_ERROR_CODE = 'keyvault.error.code' as const;
/** `error.innererror.code` of the vault's error body. */
export const ATTR_KEYVAULT_ERROR_INNER_CODE = 'keyvault.error.inner_code' as const;
/** Whether retrying the same call can succeed. */
export const ATTR_KEYVAULT_RETRYABLE = 'keyvault.retryable' as const;
/** Delay from any retry header, ms; absent when the vault sent none. */
export const ATTR_KEYVAULT_RETRY_AFTER_MS = 'keyvault.retry_after_ms' as const;
/** Service limit (requests per 10 s) of this operation's limit class. */
export const ATTR_KEYVAULT_THROTTLE_LIMIT = 'keyvault.throttle.limit' as const;
/** This process's weighted share of the vault's budget over the last 10 s (1 = used up). */
export const ATTR_KEYVAULT_THROTTLE_UTILIZATION = 'keyvault.throttle.utilization' as const;
/** HTTP semconv response status code (a metric attribute here too). */
export const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code' as const;
/** HTTP semconv full URL (kvtrace rewrites it with {@link redactUrl}). */
export const ATTR_URL_FULL = 'url.full' as const;

/** Value of {@link ATTR_AZURE_RESOURCE_PROVIDER_NAMESPACE}. */
export const KEYVAULT_RESOURCE_PROVIDER_NAMESPACE = 'Microsoft.KeyVault' as const;
/** `keyvault.cause` value on metrics when there is no cause. */
export const CAUSE_NONE = 'none' as const;

/** Every cause code of DESIGN.md's cause table, in its order (the public contract). */
export const CAUSES = [
  'challenge', 'missing_token', 'token_expired', 'token_not_yet_valid', 'wrong_audience', 'wrong_tenant',
  'claims_challenge', 'unauthenticated', 'firewall', 'access_policy', 'rbac', 'forbidden', 'secret_disabled',
  'key_operation_forbidden', 'deleted_recoverable', 'being_recovered', 'throttled', 'bad_request',
] as const satisfies readonly Cause[];

// Compile-time check that CAUSES names every member of the Cause type.
const causesComplete: Record<Exclude<Cause, (typeof CAUSES)[number]>, never> = {};
void causesComplete;

/** Span event carrying `keyvault.cause` and `keyvault.hint`. */
export const EVENT_KEYVAULT_DIAGNOSIS = 'keyvault.diagnosis' as const;

/** Counter, unit `{request}` (Prometheus `keyvault_requests_total`). */
export const METRIC_KEYVAULT_REQUESTS = 'keyvault.requests' as const;
/** Unit of {@link METRIC_KEYVAULT_REQUESTS}. */
export const METRIC_KEYVAULT_REQUESTS_UNIT = '{request}' as const;
/** Histogram of retry delays, unit `s` (Prometheus `keyvault_retry_after_seconds_*`). */
export const METRIC_KEYVAULT_RETRY_AFTER = 'keyvault.retry_after' as const;
/** Unit of {@link METRIC_KEYVAULT_RETRY_AFTER}. */
export const METRIC_KEYVAULT_RETRY_AFTER_UNIT = 's' as const;
/** Gauge, unit `1` (Prometheus `keyvault_throttle_utilization`). */
export const METRIC_KEYVAULT_THROTTLE_UTILIZATION = 'keyvault.throttle.utilization' as const;
/** Unit of {@link METRIC_KEYVAULT_THROTTLE_UTILIZATION}. */
export const METRIC_KEYVAULT_THROTTLE_UTILIZATION_UNIT = '1' as const;
