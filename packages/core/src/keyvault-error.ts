import { decodeAuthorization } from './claims.js';
import { diagnose } from './diagnose.js';
import { MAX_BODY_CHARS } from './error-body.js';
import { parseVaultUrl, redactUrl } from './vault-url.js';
import type { Diagnosis, HeaderBag, VaultEndpoint } from './types.js';

/** Response headers never copied onto an error. */
const DROPPED_HEADERS = new Set(['set-cookie', 'authorization', 'cookie']);
const MAX_HEADERS = 64;
const MAX_HEADER_CHARS = 1024;

/** The request a {@link KeyVaultError.fromResponse} response answered. */
export interface KeyVaultRequestInfo {
  readonly url?: string;
  readonly method?: string;
  /** Decoded for the diagnosis, then dropped: never stored on the error. */
  readonly authorization?: string | null;
  readonly userAgent?: string;
  /** Epoch ms the request was sent (default now). */
  readonly sentAt?: number;
}

/** Options of {@link KeyVaultError.fromResponse}. */
export interface FromResponseOptions {
  /** Body bytes read at most (default 64 KiB); the rest is cancelled. */
  readonly maxBodyBytes?: number;
  /** `false` masks the object name in `url`. Default `true`. */
  readonly recordObjectNames?: boolean;
  /** Extra vault hosts, as for `parseVaultUrl`. */
  readonly extraHosts?: readonly string[];
}

/** Fields of a {@link KeyVaultError}. */
export interface KeyVaultErrorOptions {
  readonly status: number;
  readonly diagnosis: Diagnosis;
  readonly headers?: HeaderBag;
  readonly url?: string;
  readonly method?: string;
  readonly endpoint?: VaultEndpoint | null;
  readonly cause?: unknown;
}

/** Stable error code of a diagnosis: `KV_ERR_<CAUSE>`, else by outcome (`KV_ERR_NOT_FOUND`, `KV_ERR_CONFLICT`, `KV_ERR_SERVER`, `KV_ERR_HTTP`). */
export function errorCodeFor(status: number, diagnosis: Diagnosis): string {
  if (diagnosis.cause) return `KV_ERR_${diagnosis.cause.toUpperCase()}`;
  if (diagnosis.outcome === 'not_found') return 'KV_ERR_NOT_FOUND';
  if (diagnosis.outcome === 'conflict') return 'KV_ERR_CONFLICT';
  if (status >= 500) return 'KV_ERR_SERVER';
  return 'KV_ERR_HTTP';
}

function headerBag(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  let n = 0;
  for (const [name, value] of headers) {
    if (DROPPED_HEADERS.has(name)) continue;
    if (++n > MAX_HEADERS) break;
    out[name] = value.length > MAX_HEADER_CHARS ? value.slice(0, MAX_HEADER_CHARS) : value;
  }
  return out;
}

/** Reads at most `maxBytes` of the body once, then cancels the rest. */
async function readBounded(response: Response, maxBytes: number): Promise<string | undefined> {
  if (response.bodyUsed || !response.body) return undefined;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let done = false;
  try {
    while (total < maxBytes) {
      const r = await reader.read();
      if (r.done) {
        done = true;
        break;
      }
      chunks.push(r.value);
      total += r.value.byteLength;
    }
  } catch {
    // A body that fails mid-way still gives what arrived.
  }
  if (!done) await reader.cancel().catch(() => undefined);
  const bytes = new Uint8Array(Math.min(total, maxBytes));
  let at = 0;
  for (const c of chunks) {
    const part = c.subarray(0, bytes.length - at);
    bytes.set(part, at);
    at += part.length;
    if (at >= bytes.length) break;
  }
  return new TextDecoder().decode(bytes);
}

/**
 * A failed Key Vault call, for `fetch` users: carries the diagnosis, the
 * status, response headers, the retry delay and the redacted URL. It never
 * holds the request's Authorization value nor the response body.
 * @example
 * const res = await fetch(url, { headers: { authorization } });
 * if (!res.ok) throw await KeyVaultError.fromResponse(res, { url, method: 'GET', authorization });
 */
export class KeyVaultError extends Error {
  /** Stable code, e.g. `KV_ERR_THROTTLED`, `KV_ERR_RBAC`, `KV_ERR_NOT_FOUND`. */
  readonly code: string;
  readonly status: number;
  readonly diagnosis: Diagnosis;
  /** Response headers, lower-cased, without cookies. */
  readonly headers: HeaderBag;
  /** Retry delay the vault asked for, ms. */
  readonly retryAfterMs?: number;
  /** Request URL with only `api-version` in its query. */
  readonly url?: string;
  readonly method?: string;
  readonly vaultName?: string;
  readonly operation?: string;

  constructor(message: string, options: KeyVaultErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = this.constructor.name;
    this.status = options.status;
    this.diagnosis = options.diagnosis;
    this.code = errorCodeFor(options.status, options.diagnosis);
    this.headers = options.headers ?? {};
    if (options.diagnosis.retryAfterMs !== undefined) this.retryAfterMs = options.diagnosis.retryAfterMs;
    if (options.url !== undefined) this.url = options.url;
    if (options.method !== undefined) this.method = options.method;
    if (options.endpoint) {
      this.vaultName = options.endpoint.vaultName;
      this.operation = options.endpoint.operation;
    }
  }

  /** Whether retrying the call can succeed. */
  get retryable(): boolean {
    return this.diagnosis.retryable;
  }

  /**
   * Builds the error from a vault response: reads the body once (bounded),
   * diagnoses it with the request's facts, and keeps only safe fields.
   */
  static async fromResponse(
    response: Response,
    request?: KeyVaultRequestInfo,
    options?: FromResponseOptions,
  ): Promise<KeyVaultError> {
    const maxBytes = options?.maxBodyBytes ?? MAX_BODY_CHARS;
    if (!Number.isInteger(maxBytes) || maxBytes < 0) {
      throw new TypeError(`KeyVaultError.fromResponse maxBodyBytes must be a non-negative integer, got ${String(maxBytes)}`);
    }
    const status = response.status;
    const headers = headerBag(response.headers);
    const body = maxBytes > 0 ? await readBounded(response, maxBytes).catch(() => undefined) : undefined;
    const rawUrl = request?.url ?? response.url;
    const method = request?.method?.toUpperCase();
    const endpoint = rawUrl ? parseVaultUrl(rawUrl, method, { extraHosts: options?.extraHosts ?? [] }) : null;
    const diagnosis = diagnose({
      status,
      endpoint,
      claims: request && 'authorization' in request ? decodeAuthorization(request.authorization) : undefined,
      headers,
      ...(body !== undefined && { body }),
      ...(request?.userAgent !== undefined && { userAgent: request.userAgent }),
      ...(request?.sentAt !== undefined && { sentAt: request.sentAt }),
    });
    const url = rawUrl ? redactUrl(rawUrl, { recordObjectNames: options?.recordObjectNames ?? true }) : undefined;
    const what = endpoint ? `${endpoint.operation} on vault ${endpoint.vaultName}` : `${method ?? 'request'} to Key Vault`;
    const why = diagnosis.cause ? ` (${diagnosis.cause})` : '';
    const message = `Key Vault ${what} failed with ${status}${why}${diagnosis.hint ? `: ${diagnosis.hint}` : ''}`;
    return new KeyVaultError(message, {
      status,
      diagnosis,
      headers,
      endpoint,
      ...(url ? { url } : {}),
      ...(method !== undefined && { method }),
    });
  }
}
