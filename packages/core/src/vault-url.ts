import type { AzureCloud, VaultEndpoint, VaultKind } from './types.js';
import { operationFor } from './operations.js';

/** One Azure cloud's vault DNS suffixes and the token audiences they expect. */
export interface CloudHosts {
  readonly cloud: AzureCloud;
  readonly kind: VaultKind;
  /** DNS suffix with a leading dot, e.g. `.vault.azure.net`. */
  readonly suffix: string;
  /** Key Vault's resource URL in that cloud (no trailing slash). */
  readonly audience: string;
}

/**
 * Every Key Vault and Managed HSM DNS suffix, per cloud.
 * https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates#dns-suffixes-for-object-identifiers
 */
export const VAULT_CLOUDS: readonly CloudHosts[] = Object.freeze([
  { cloud: 'public', kind: 'vault', suffix: '.vault.azure.net', audience: 'https://vault.azure.net' },
  { cloud: 'public', kind: 'managed_hsm', suffix: '.managedhsm.azure.net', audience: 'https://managedhsm.azure.net' },
  { cloud: 'china', kind: 'vault', suffix: '.vault.azure.cn', audience: 'https://vault.azure.cn' },
  { cloud: 'china', kind: 'managed_hsm', suffix: '.managedhsm.azure.cn', audience: 'https://managedhsm.azure.cn' },
  { cloud: 'usgov', kind: 'vault', suffix: '.vault.usgovcloudapi.net', audience: 'https://vault.usgovcloudapi.net' },
  { cloud: 'usgov', kind: 'managed_hsm', suffix: '.managedhsm.usgovcloudapi.net', audience: 'https://managedhsm.usgovcloudapi.net' },
  // Azure Germany closed in 2021, but old configs still name it.
  { cloud: 'germany', kind: 'vault', suffix: '.vault.microsoftazure.de', audience: 'https://vault.microsoftazure.de' },
  { cloud: 'germany', kind: 'managed_hsm', suffix: '.managedhsm.microsoftazure.de', audience: 'https://managedhsm.microsoftazure.de' },
] as const);

/** Options of {@link parseVaultUrl}. */
export interface ParseVaultUrlOptions {
  /** Extra vault hosts: exact host (`kv.example.test`, `127.0.0.1:8443`) or a suffix (`*.example.test`, `.example.test`). */
  readonly extraHosts?: readonly string[];
}

const MAX_URL_CHARS = 8192;
const MAX_SEGMENT_CHARS = 256;

/** Where an absolute URL string's authority ends, and its lower-cased host[:port] (no user info). */
function authorityOf(url: string): { host: string; end: number } | undefined {
  const scheme = url.indexOf('://');
  if (scheme < 0 || scheme > 8) return undefined;
  const start = scheme + 3;
  let end = url.length;
  for (let i = start; i < url.length; i++) {
    const c = url.charCodeAt(i);
    // '/', '?', '#', '\\' end the authority.
    if (c === 47 || c === 63 || c === 35 || c === 92) {
      end = i;
      break;
    }
  }
  let authority = url.slice(start, end);
  const at = authority.lastIndexOf('@');
  if (at >= 0) authority = authority.slice(at + 1);
  return { host: authority.toLowerCase(), end };
}

/** A DNS label as Key Vault allows vault names (letters, digits, hyphens). */
const VAULT_LABEL = /^[a-z0-9-]{1,63}$/;

function stripPort(host: string): string {
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    return close > 0 ? host.slice(0, close + 1) : host;
  }
  const colon = host.lastIndexOf(':');
  return colon >= 0 ? host.slice(0, colon) : host;
}

function cloudOf(hostname: string): CloudHosts | undefined {
  for (const c of VAULT_CLOUDS) {
    // The vault name is the single label before the suffix.
    if (hostname.length > c.suffix.length && hostname.endsWith(c.suffix)) {
      const name = hostname.slice(0, hostname.length - c.suffix.length);
      if (name.indexOf('.') < 0) return c;
    }
  }
  return undefined;
}

function matchesExtra(hostWithPort: string, hostname: string, extraHosts: readonly string[] | undefined): boolean {
  if (!extraHosts) return false;
  for (const raw of extraHosts) {
    if (typeof raw !== 'string' || raw.length === 0) continue;
    const entry = raw.toLowerCase();
    if (entry.startsWith('*.') || entry.startsWith('.')) {
      const suffix = entry.startsWith('*') ? entry.slice(1) : entry;
      if (hostname.endsWith(suffix) && hostname.length > suffix.length) return true;
    } else if (entry === hostname || entry === hostWithPort) {
      return true;
    }
  }
  return false;
}

/**
 * Whether `host` (with or without port) is a Key Vault or Managed HSM host of
 * any Azure cloud, or one of `extraHosts`.
 * @example isVaultHost('myvault.vault.azure.net') // true
 */
export function isVaultHost(host: string, extraHosts?: readonly string[]): boolean {
  if (typeof host !== 'string' || host.length === 0 || host.length > 512) return false;
  const h = host.toLowerCase();
  const hostname = stripPort(h);
  return cloudOf(hostname) !== undefined || matchesExtra(h, hostname, extraHosts);
}

function safeDecode(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * What a vault request URL says: vault, kind, cloud, expected audience,
 * collection, object, api-version and operation. `null` for any URL that is
 * not a vault's (checked on the host before anything is parsed).
 * @example parseVaultUrl('https://myvault.vault.azure.net/secrets/db-password?api-version=7.5', 'GET')
 * // { vaultName: 'myvault', kind: 'vault', cloud: 'public', operation: 'secrets.get', objectName: 'db-password', ... }
 */
export function parseVaultUrl(
  url: string | URL,
  method?: string,
  options?: ParseVaultUrlOptions,
): VaultEndpoint | null {
  try {
    // Hand-parsed: this runs on every outgoing request, and `new URL` plus
    // `searchParams` cost several times what the rest does.
    const text = typeof url === 'string' ? url : url instanceof URL ? url.href : undefined;
    if (text === undefined || text.length > MAX_URL_CHARS) return null;
    const authority = authorityOf(text);
    if (authority === undefined) return null;
    const hostWithPort = authority.host;
    const hostname = stripPort(hostWithPort);
    const known = cloudOf(hostname);
    if (!known && !matchesExtra(hostWithPort, hostname, options?.extraHosts)) return null;
    // indexOf, not split: String#split was the single largest cost of this function.
    const dot = hostname.indexOf('.');
    const firstLabel = dot < 0 ? hostname : hostname.slice(0, dot);
    if (known && !VAULT_LABEL.test(firstLabel)) return null;

    const scheme = text.slice(0, text.indexOf(':')).toLowerCase();
    const defaultPort = scheme === 'https' ? ':443' : scheme === 'http' ? ':80' : undefined;
    const host = defaultPort !== undefined && hostWithPort.endsWith(defaultPort) ? hostname : hostWithPort;
    const tail = text.slice(authority.end);
    const rest = tail.includes('\\') ? tail.replace(/\\/g, '/') : tail;
    const hash = rest.indexOf('#');
    const beforeHash = hash < 0 ? rest : rest.slice(0, hash);
    const q = beforeHash.indexOf('?');
    const path = q < 0 ? beforeHash : beforeHash.slice(0, q);
    const apiVersion = q < 0 ? undefined : queryValue(beforeHash.slice(q + 1), 'api-version');

    const kind: VaultKind = known?.kind ?? (hostname.includes('managedhsm') ? 'managed_hsm' : 'vault');
    const segments: string[] = [];
    for (let from = 0; from < path.length; ) {
      let to = path.indexOf('/', from);
      if (to < 0) to = path.length;
      if (to > from) segments.push(safeDecode(path.slice(from, to)).slice(0, MAX_SEGMENT_CHARS));
      from = to + 1;
    }
    const collection = segments[0]?.toLowerCase();
    const op = operationFor(segments, (method ?? 'GET').toUpperCase());
    // Plain assignments: conditional spreads cost more than the whole parse.
    const endpoint: { -readonly [K in keyof VaultEndpoint]: VaultEndpoint[K] } = {
      host,
      vaultName: firstLabel || host,
      kind,
      cloud: known?.cloud ?? 'custom',
      audience: known?.audience ?? (kind === 'managed_hsm' ? 'https://managedhsm.azure.net' : 'https://vault.azure.net'),
      operation: op.operation,
    };
    if (collection !== undefined) endpoint.collection = collection;
    if (op.objectName !== undefined) endpoint.objectName = op.objectName;
    if (op.objectVersion !== undefined) endpoint.objectVersion = op.objectVersion;
    if (apiVersion !== undefined) endpoint.apiVersion = apiVersion;
    return endpoint;
  } catch {
    return null;
  }
}

/** A form-encoded query component decoded: `+` is a space, then percent-decoding. */
function formDecode(raw: string): string {
  return safeDecode(raw.includes('+') ? raw.replace(/\+/g, ' ') : raw);
}

/**
 * The first value of `name` in a query string (form-decoded), bounded. Names
 * are compared decoded, as URLSearchParams does: the Azure SDK sends
 * `api%2Dversion=7.5` (its URL builder percent-encodes the hyphen).
 */
function queryValue(query: string, name: string): string | undefined {
  for (let from = 0; from <= query.length; ) {
    let to = query.indexOf('&', from);
    if (to < 0) to = query.length;
    let eq = query.indexOf('=', from);
    if (eq < 0 || eq > to) eq = to;
    const key = query.slice(from, eq);
    // Decode only a key that could be an encoding of `name`: the common case stays a plain compare.
    if (key === name || ((key.includes('%') || key.includes('+')) && formDecode(key) === name)) {
      return formDecode(query.slice(Math.min(eq + 1, to), to)).slice(0, 32);
    }
    from = to + 1;
  }
  return undefined;
}

/** Options of {@link redactUrl}. */
export interface RedactUrlOptions {
  /** `false` masks the object name (secret/key/certificate name) as `REDACTED`. Default `true`. */
  readonly recordObjectNames?: boolean;
}

/**
 * The URL as it may be recorded: user info replaced by `REDACTED`, the query
 * reduced to `api-version`, no fragment, and (with `recordObjectNames: false`)
 * the object name masked. Empty string when `url` does not parse.
 * The parameter is always written `api-version=<value>`, whichever spelling
 * was sent (the Azure SDK sends `api%2Dversion`): `url.full` then reads the
 * same for fetch and SDK calls, and a dashboard matches one spelling. Its
 * value is the first one, as {@link parseVaultUrl} reads it.
 * @example redactUrl('https://v.vault.azure.net/secrets/a?api-version=7.5&x=1') // 'https://v.vault.azure.net/secrets/a?api-version=7.5'
 */
export function redactUrl(url: string | URL, options?: RedactUrlOptions): string {
  try {
    const text = typeof url === 'string' ? url : url instanceof URL ? url.href : '';
    if (text.length === 0 || text.length > MAX_URL_CHARS) return '';
    const u = new URL(text);
    const auth = u.username || u.password ? 'REDACTED:REDACTED@' : '';
    let path = u.pathname;
    if (options?.recordObjectNames === false) {
      const parts = path.split('/');
      const nameAt = objectNameIndex(parts);
      if (nameAt > 0) parts[nameAt] = 'REDACTED';
      path = parts.join('/');
    }
    const apiVersion = u.searchParams.get('api-version');
    const query = apiVersion === null ? '' : `?api-version=${encodeURIComponent(apiVersion)}`;
    return `${u.protocol}//${auth}${u.host}${path}${query}`;
  } catch {
    return '';
  }
}

const NAMED_COLLECTIONS = new Set([
  'secrets', 'keys', 'certificates', 'deletedsecrets', 'deletedkeys', 'deletedcertificates', 'storage', 'deletedstorage',
]);
const NOT_NAMES = new Set(['restore', 'issuers', 'contacts', 'import']);

/** Index in `'/a/b'.split('/')` of the object name, or -1. */
function objectNameIndex(parts: string[]): number {
  const collection = parts[1]?.toLowerCase();
  if (collection === undefined || !NAMED_COLLECTIONS.has(collection)) return -1;
  const second = parts[2];
  if (second === undefined || second === '') return -1;
  if (collection === 'certificates' && second.toLowerCase() === 'issuers') return parts[3] ? 3 : -1;
  return NOT_NAMES.has(second.toLowerCase()) ? -1 : 2;
}
