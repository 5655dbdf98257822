/**
 * Recognises a Key Vault or identity failure in whatever a request handler
 * threw, by shape only: core depends on no Azure package, and an app may
 * carry two copies of the SDK, so `instanceof` would miss half of them.
 */
import { decodeAuthorization } from './claims.js';
import { diagnose } from './diagnose.js';
import { MAX_EXPOSED_ID_CHARS, clip, withoutCredential } from './exposed-text.js';
import { parseRetryAfter } from './retry-after.js';
import { parseVaultUrl } from './vault-url.js';
import type { Diagnosis, HeaderBag, TokenClaims, VaultEndpoint } from './types.js';

/** What kind of failure was found. */
export type ThrownFailureKind =
  | 'vault_response'
  | 'network'
  | 'timeout'
  | 'authentication'
  | 'credential_unavailable';

/** A recognised failure, reduced to the facts the HTTP answer needs. */
export interface ThrownFailure {
  readonly kind: ThrownFailureKind;
  /** Upstream HTTP status (vault response, or the token endpoint's for `authentication`). */
  readonly status?: number;
  readonly diagnosis?: Diagnosis;
  readonly endpoint?: VaultEndpoint | null;
  /** Claims of the token that was sent; only used to keep them out of answers. */
  readonly claims?: TokenClaims;
  /** From the vault's retry headers; absent when it sent none. */
  readonly retryAfterMs?: number;
  /** The vault's own message, without the credential that was sent (shown only with `expose`, scrubbed). */
  readonly vaultMessage?: string;
  readonly requestId?: string;
  /** `ECONNREFUSED`, `REQUEST_SEND_ERROR`, `AbortError`, ... */
  readonly errorCode?: string;
  /** `invalid_client` and `AADSTS7000215`-style codes of an identity failure. */
  readonly identityError?: string;
  readonly aadsts?: readonly string[];
}

export interface RecognizeOptions {
  /** Hosts to treat as vaults besides Azure's (e.g. a local fake vault). */
  readonly vaultHosts?: readonly string[];
  /** Treat a timeout that names no host (the Azure SDK's `AbortError`, fetch's `TimeoutError`) as an upstream timeout. Default true. */
  readonly bareTimeouts?: boolean;
}

/** How far down an `Error.cause` chain to look: wrappers rarely nest deeper. */
const MAX_CAUSE_DEPTH = 8;

const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

type Bag = Record<string, unknown>;

function isObject(value: unknown): value is Bag {
  return typeof value === 'object' && value !== null;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Walks `err` and its `cause` chain (bounded, cycle-safe) and returns the
 * first Key Vault or identity failure found, or null when there is none.
 * Never throws.
 */
export function recognizeThrown(err: unknown, options: RecognizeOptions = {}): ThrownFailure | null {
  const seen = new Set<unknown>();
  let current: unknown = err;
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH && isObject(current) && !seen.has(current); depth++) {
    seen.add(current);
    const found = recognizeOne(current, options);
    if (found) return found;
    current = current['cause'];
  }
  return null;
}

function recognizeOne(err: Bag, options: RecognizeOptions): ThrownFailure | null {
  const name = str(err['name']);
  if (name === 'KeyVaultError' && isObject(err['diagnosis'])) return fromKeyVaultError(err, options);
  if (name === 'RestError') return fromRestError(err, options);
  // @azure/identity 4.x turns MSAL's ServerError (e.g. AADSTS7000215 from
  // ClientSecretCredential) into AuthenticationRequiredError, not AuthenticationError.
  if (name === 'AuthenticationError' || name === 'AuthenticationRequiredError') return fromAuthenticationError(err);
  if (name === 'CredentialUnavailableError') {
    return { kind: 'credential_unavailable', errorCode: name };
  }
  if (name === 'AggregateAuthenticationError' && Array.isArray(err['errors'])) {
    return fromAggregate(err['errors']);
  }
  const code = str(err['code']);
  if (options.bareTimeouts !== false) {
    if (name === 'TimeoutError' || name === 'AbortError' || (code && TIMEOUT_CODES.has(code))) {
      return { kind: 'timeout', errorCode: code ?? name };
    }
  }
  return null;
}

/** Reads one header from an SDK `HttpHeaders`, a fetch `Headers` or a plain object; a broken one reads as absent. */
function header(headers: unknown, name: string): string | undefined {
  try {
    if (!isObject(headers)) return undefined;
    if (typeof headers['get'] === 'function') return str((headers['get'] as (n: string) => unknown).call(headers, name));
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    return key === undefined ? undefined : str(headers[key]);
  } catch {
    return undefined;
  }
}

/** The response headers diagnose reads; copied so no live object escapes. */
const DIAGNOSED_HEADERS = [
  'www-authenticate',
  'retry-after',
  'retry-after-ms',
  'x-ms-retry-after-ms',
  'x-ms-request-id',
  'x-ms-client-request-id',
  'x-ms-keyvault-region',
  'x-ms-keyvault-network-info',
  'x-ms-keyvault-service-version',
  'content-type',
] as const;

function headerBag(headers: unknown): HeaderBag {
  const bag: Record<string, string> = {};
  for (const name of DIAGNOSED_HEADERS) {
    const value = header(headers, name);
    if (value !== undefined) bag[name] = value;
  }
  return bag;
}

/**
 * The SDK parses the error body into `details` with `innerError`
 * (camelCase), while Key Vault's wire body says `innererror`: rebuild the
 * wire shape so core's body parser reads both the same way.
 */
function bodyText(err: Bag, response: Bag | undefined): string | undefined {
  const raw = response ? str(response['bodyAsText']) : undefined;
  if (raw) return raw;
  const details = err['details'];
  const error = isObject(details) && isObject(details['error']) ? details['error'] : undefined;
  const inner = error && isObject(error['innerError']) ? error['innerError'] : error?.['innererror'];
  const wire = {
    error: {
      code: str(error?.['code']) ?? str(err['code']),
      message: str(error?.['message']) ?? str(err['message']),
      ...(isObject(inner) && str(inner['code']) ? { innererror: { code: inner['code'] } } : {}),
    },
  };
  return JSON.stringify(wire);
}

function fromRestError(err: Bag, options: RecognizeOptions): ThrownFailure | null {
  const request = isObject(err['request']) ? err['request'] : undefined;
  const url = request ? str(request['url']) : undefined;
  const method = request ? str(request['method']) : undefined;
  // A RestError without a vault URL may come from Storage, ARM, ...: not ours.
  const endpoint = url ? parseVaultUrl(url, method, { extraHosts: options.vaultHosts }) : null;
  if (!endpoint) return null;
  const code = str(err['code']);
  const statusCode = typeof err['statusCode'] === 'number' ? err['statusCode'] : undefined;
  if (statusCode === undefined) {
    // No status: the request never got an answer (REQUEST_SEND_ERROR, ECONNREFUSED, ECONNRESET, ...).
    if (code && TIMEOUT_CODES.has(code)) return { kind: 'timeout', endpoint, errorCode: code };
    return { kind: 'network', endpoint, errorCode: code ?? 'REQUEST_SEND_ERROR' };
  }
  const response = isObject(err['response']) ? err['response'] : undefined;
  const headers = headerBag(response?.['headers']);
  const authorization = request ? header(request['headers'], 'authorization') : undefined;
  const claims = decodeAuthorization(authorization);
  const diagnosis = diagnose({
    status: statusCode,
    endpoint,
    claims,
    userAgent: request ? header(request['headers'], 'user-agent') : undefined,
    headers,
    body: bodyText(err, response),
  });
  return {
    kind: 'vault_response',
    status: statusCode,
    diagnosis,
    endpoint,
    claims,
    retryAfterMs: diagnosis.retryAfterMs ?? parseRetryAfter(headers),
    // A gateway may echo the request's Authorization: the credential goes here, so no failure ever holds it.
    vaultMessage: withoutCredential(str(err['message']) ?? '', authorization) || undefined,
    requestId: headers['x-ms-request-id'],
    errorCode: code,
  };
}

function fromKeyVaultError(err: Bag, options: RecognizeOptions): ThrownFailure {
  const diagnosis = err['diagnosis'] as Diagnosis;
  const status = typeof err['status'] === 'number' ? err['status'] : 0;
  const url = str(err['url']);
  const headers = headerBag(err['headers']);
  const retryAfterMs =
    typeof err['retryAfterMs'] === 'number'
      ? err['retryAfterMs']
      : (diagnosis.retryAfterMs ?? parseRetryAfter(headers));
  return {
    kind: 'vault_response',
    status,
    diagnosis,
    endpoint: url ? parseVaultUrl(url, str(err['method']), { extraHosts: options.vaultHosts }) : null,
    claims: isObject(err['claims']) ? (err['claims'] as unknown as TokenClaims) : undefined,
    retryAfterMs,
    // Its message is kvtrace's own sentence with the hint, not the vault's text.
    requestId: headers['x-ms-request-id'],
    errorCode: str(err['code']),
  };
}

function fromAuthenticationError(err: Bag): ThrownFailure {
  const response = isObject(err['errorResponse']) ? err['errorResponse'] : {};
  const message = str(err['message']) ?? '';
  const description = str(response['errorDescription']) ?? str(response['error_description']) ?? message;
  const codes = new Set<string>();
  const listed = response['errorCodes'] ?? response['error_codes'];
  if (Array.isArray(listed)) {
    for (const code of listed) if (typeof code === 'number') codes.add(`AADSTS${code}`);
  }
  for (const match of description.matchAll(/AADSTS\d+/g)) codes.add(match[0]);
  return {
    kind: 'authentication',
    status: typeof err['statusCode'] === 'number' ? err['statusCode'] : undefined,
    // MSAL's message starts with the OAuth error: `invalid_client: Error(s): 7000215 - ...`.
    identityError: str(response['error']) ?? /^([a-z_]+):/.exec(message)?.[1],
    aadsts: [...codes],
    errorCode: str(err['name']),
  };
}

/** ChainedTokenCredential / DefaultAzureCredential: a real rejection beats "unavailable". */
function fromAggregate(errors: unknown[]): ThrownFailure | null {
  const bags = errors.filter(isObject);
  const rejected = bags.find((e) => e['name'] === 'AuthenticationError' || e['name'] === 'AuthenticationRequiredError');
  if (rejected) return fromAuthenticationError(rejected);
  if (bags.length > 0 && bags.every((e) => e['name'] === 'CredentialUnavailableError')) {
    return { kind: 'credential_unavailable', errorCode: 'CredentialUnavailableError' };
  }
  return null;
}

/** What the common AADSTS codes mean for a service principal (Entra ID error reference). */
const AADSTS_HINTS: Readonly<Record<string, string>> = {
  AADSTS7000215: 'the client secret is wrong: configure the secret value, not its ID',
  AADSTS7000222: 'the client secret has expired: create a new one',
  AADSTS700016: 'no application with this client id exists in the tenant',
  AADSTS90002: 'the tenant does not exist in this cloud: check the tenant id and authority host',
  AADSTS900023: 'the tenant id is malformed',
  AADSTS700024: 'the client assertion is outside its validity window: check clocks and the federated token',
  AADSTS70021: 'no federated identity credential matches the presented token',
  AADSTS7000112: 'the application is disabled',
  AADSTS53003: 'Conditional Access blocked the sign-in',
};

/** Hint for an identity failure; names codes only, never the token endpoint's description (it echoes ids). */
export function identityHint(failure: ThrownFailure): string {
  if (failure.kind === 'credential_unavailable') {
    return 'No credential could run in this environment (managed identity endpoint unreachable, or AZURE_* variables missing): check which credential this deployment is meant to use.';
  }
  const codes = failure.aadsts ?? [];
  const known = codes.map((c) => AADSTS_HINTS[c]).find((h) => h !== undefined);
  const label = clip([...codes, failure.identityError].filter(Boolean).join(', '), MAX_EXPOSED_ID_CHARS);
  const why = known ?? 'check the tenant id, client id and secret or certificate of the service principal';
  return `Microsoft Entra ID refused to issue a token${label ? ` (${label})` : ''}: ${why}.`;
}

/** Hint for a network error or timeout. */
export function transportHint(failure: ThrownFailure): string {
  const vault = failure.endpoint ? ` vault ${failure.endpoint.vaultName}` : ' the upstream service';
  const code = failure.errorCode ? ` (${clip(failure.errorCode, MAX_EXPOSED_ID_CHARS)})` : '';
  return failure.kind === 'timeout'
    ? `A call to${vault} timed out${code}: check the vault's reachability (DNS, private endpoint, firewall) and the call's timeout.`
    : `Could not reach${vault}${code}: check DNS, the private endpoint and outbound firewall rules.`;
}
