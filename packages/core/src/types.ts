/**
 * The shapes that flow between kvtrace's packages. Every function of core is
 * total: bad input yields fewer fields, never an exception.
 */

/** `vault` for Key Vault, `managed_hsm` for Managed HSM. */
export type VaultKind = 'vault' | 'managed_hsm';

/** The Azure cloud a vault host belongs to; `custom` for a user-configured host. */
export type AzureCloud = 'public' | 'china' | 'usgov' | 'germany' | 'custom';

/** What a vault request URL says: which vault, which object, which operation. */
export interface VaultEndpoint {
  /** Lower-cased host, e.g. `myvault.vault.azure.net`. */
  readonly host: string;
  /** First DNS label, e.g. `myvault`. */
  readonly vaultName: string;
  readonly kind: VaultKind;
  readonly cloud: AzureCloud;
  /** The token audience this vault expects, e.g. `https://vault.azure.net` (no trailing slash). */
  readonly audience: string;
  /** First path segment, lower-cased: `secrets`, `keys`, `certificates`, `deletedsecrets`, ... */
  readonly collection?: string;
  readonly objectName?: string;
  readonly objectVersion?: string;
  readonly apiVersion?: string;
  /** e.g. `secrets.get`, `keys.sign`, `secrets.other`. */
  readonly operation: string;
}

/** Which claims a token carried. Never holds the token text or its signature. */
export interface TokenClaims {
  /** Whether an Authorization header was sent at all. */
  readonly present: boolean;
  /** Authorization scheme as sent, normalised: `Bearer`, `PoP`, or the raw scheme word. */
  readonly scheme?: string;
  /** `jwt` when the payload decoded as JSON claims, `opaque` otherwise. */
  readonly format?: 'jwt' | 'opaque';
  readonly aud?: string;
  readonly iss?: string;
  readonly tid?: string;
  /** `appid` (v1 tokens) or `azp` (v2 tokens). */
  readonly appid?: string;
  readonly oid?: string;
  readonly idtyp?: string;
  /** Epoch seconds. */
  readonly iat?: number;
  readonly nbf?: number;
  readonly exp?: number;
}

/** A parsed `WWW-Authenticate` challenge. */
export interface Challenge {
  readonly scheme: string;
  /** `authorization` or `authorization_uri`, as sent. */
  readonly authorization?: string;
  /** `resource` as sent; when only `scope` was sent, the scope minus `/.default`. */
  readonly resource?: string;
  readonly scope?: string;
  /** Tenant id taken from the authorization URL path. */
  readonly tenant?: string;
  /** e.g. `insufficient_claims` (CAE). */
  readonly error?: string;
  /** CAE claims (base64), as sent. */
  readonly claims?: string;
}

/** What a Key Vault error body says, and what its message reveals. */
export interface VaultErrorBody {
  readonly code?: string;
  readonly innerCode?: string;
  /** The server's message, truncated to a bounded length. */
  readonly message?: string;
  /** `AKV10022` etc. when the message carries one. */
  readonly akvCode?: string;
  /** Client address the firewall saw. */
  readonly clientAddress?: string;
  readonly callerAppId?: string;
  readonly callerOid?: string;
  /** Access-policy permission that was missing, e.g. `secrets get`. */
  readonly permission?: string;
  /** RBAC data action, e.g. `Microsoft.KeyVault/vaults/secrets/getSecret/action`. */
  readonly action?: string;
  readonly decisionReason?: string;
  /** `VaultRequestTypeLimitReached` etc. */
  readonly throttleReason?: string;
  /** Expected / found values from AKV10022 and AKV10032. */
  readonly expected?: string;
  readonly found?: string;
}

/** `x-ms-keyvault-network-info`. */
export interface NetworkInfo {
  readonly connectionType?: string;
  readonly clientAddress?: string;
  readonly privateEndpoint?: string;
}

export type Outcome =
  | 'ok'
  | 'challenge'
  | 'unauthenticated'
  | 'forbidden'
  | 'throttled'
  | 'not_found'
  | 'conflict'
  | 'error';

export type Cause =
  | 'challenge'
  | 'missing_token'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'wrong_audience'
  | 'wrong_tenant'
  | 'claims_challenge'
  | 'unauthenticated'
  | 'firewall'
  | 'access_policy'
  | 'rbac'
  | 'forbidden'
  | 'secret_disabled'
  | 'key_operation_forbidden'
  | 'deleted_recoverable'
  | 'being_recovered'
  | 'throttled'
  | 'bad_request';

/** Response headers, lower-cased names. */
export type HeaderBag = Readonly<Record<string, string | undefined>>;

/** The facts of one vault call, as an adapter saw them. */
export interface CallFacts {
  readonly status: number;
  /** Parsed request URL; diagnose works without it (fewer hints). */
  readonly endpoint?: VaultEndpoint | null;
  /** Decoded claims of the Authorization header that was sent. */
  readonly claims?: TokenClaims;
  /** Request `User-Agent` (decides `challenge` vs `missing_token`). */
  readonly userAgent?: string;
  /** Response headers, lower-cased names (`www-authenticate`, `retry-after`, ...). */
  readonly headers?: HeaderBag;
  /** Response body text (may be truncated, empty, HTML). */
  readonly body?: string;
  /** Time the request was sent, epoch ms (default `Date.now()`). */
  readonly sentAt?: number;
  /**
   * Clock skew for `exp`, seconds (default 60): on a 401, a token whose `exp`
   * is at or before send time + skew is explained as expired. `nbf` is
   * compared with the send time itself.
   */
  readonly clockSkewS?: number;
  /** This call's limit class, e.g. from `ThrottleMeter.record` (default: `limitFor(endpoint)`). */
  readonly limit?: { readonly limitClass: string; readonly limit: number };
}

/** Why a vault call went the way it did. */
export interface Diagnosis {
  readonly outcome: Outcome;
  readonly cause?: Cause;
  /** One sentence a person can act on; never contains a secret. */
  readonly hint?: string;
  readonly retryable: boolean;
  /** From `retry-after` (seconds or HTTP-date), `retry-after-ms`, `x-ms-retry-after-ms`; absent when none. */
  readonly retryAfterMs?: number;
  readonly errorCode?: string;
  readonly innerCode?: string;
  readonly challenge?: Challenge;
}
