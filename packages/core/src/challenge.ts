import { BoundedMemo } from './memo.js';
import type { Challenge } from './types.js';

const MAX_HEADER_CHARS = 16 * 1024;
const MAX_VALUE_CHARS = 512;
const MAX_CLAIMS_CHARS = 4096;

/** RFC 9110 token: what an auth-scheme may be. */
const SCHEME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/;

interface RawChallenge {
  scheme: string;
  params: Record<string, string>;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** RFC 9110 11.6.1 challenges: `scheme param=value, param="quoted", Scheme2 ...`. */
function tokenize(s: string): RawChallenge[] {
  const out: RawChallenge[] = [];
  let current: RawChallenge | undefined;
  const n = s.length;
  let i = 0;
  while (i < n) {
    while (i < n && (isSpace(s.charCodeAt(i)) || s[i] === ',')) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && !isSpace(s.charCodeAt(i)) && s[i] !== '=' && s[i] !== ',') i++;
    const word = s.slice(start, i);
    let j = i;
    while (j < n && isSpace(s.charCodeAt(j))) j++;
    if (s[j] === '=' && word.length > 0) {
      i = j + 1;
      while (i < n && isSpace(s.charCodeAt(i))) i++;
      let value = '';
      if (s[i] === '"') {
        const close = s.indexOf('"', i + 1);
        const raw = s.slice(i + 1, close < 0 ? n : close);
        if (!raw.includes('\\')) {
          value = raw;
          i = close < 0 ? n : close + 1;
        } else {
          // quoted-pair (RFC 9110 5.6.4): a backslash escapes the next character.
          i++;
          while (i < n && s[i] !== '"') {
            if (s[i] === '\\' && i + 1 < n) i++;
            value += s[i];
            i++;
          }
          i++;
        }
      } else {
        const vStart = i;
        while (i < n && s[i] !== ',' && !isSpace(s.charCodeAt(i))) i++;
        value = s.slice(vStart, i);
      }
      if (current) current.params[word.toLowerCase()] ??= value;
    } else if (SCHEME.test(word)) {
      current = { scheme: word, params: Object.create(null) as Record<string, string> };
      out.push(current);
    } else if (word.length === 0) {
      i++;
    }
  }
  return out;
}

/** Tenant id (or `common`, `organizations`) from `https://login.windows.net/<tenant>[/...]`. */
export function tenantFromAuthority(authority: string | undefined): string | undefined {
  if (!authority) return undefined;
  const scheme = authority.indexOf('://');
  if (scheme < 0 || scheme > 5) return undefined;
  const slash = authority.indexOf('/', scheme + 3);
  if (slash < 0) return undefined;
  let end = slash + 1;
  while (end < authority.length && !'/?#'.includes(authority.charAt(end)) && authority.charCodeAt(end) > 32) end++;
  return end > slash + 1 ? authority.slice(slash + 1, Math.min(end, slash + 129)) : undefined;
}

function bounded(v: string | undefined, max = MAX_VALUE_CHARS): string | undefined {
  return v === undefined || v.length === 0 ? undefined : v.slice(0, max);
}

/**
 * Parses a `WWW-Authenticate` value. Of several challenges the `Bearer` one
 * wins. `authorization` and `authorization_uri` both fill `authorization`;
 * `tenant` comes from its path; when the vault sends `scope` without
 * `resource`, `resource` is the scope minus `/.default`. `null` when nothing
 * parses. Never throws.
 * @example parseChallenge('Bearer authorization="https://login.windows.net/72f9...", resource="https://vault.azure.net"')
 * // { scheme: 'Bearer', authorization: 'https://login.windows.net/72f9...', tenant: '72f9...', resource: 'https://vault.azure.net' }
 */
export function parseChallenge(value: string | null | undefined): Challenge | null {
  if (typeof value !== 'string' || value.length === 0) return null;
  return memo.get(value, parse);
}

const memo = new BoundedMemo<Challenge | null>(64, 4096);

function parse(value: string): Challenge | null {
  try {
    const challenges = tokenize(value.length > MAX_HEADER_CHARS ? value.slice(0, MAX_HEADER_CHARS) : value);
    const chosen = challenges.find((c) => c.scheme.toLowerCase() === 'bearer') ?? challenges[0];
    if (!chosen) return null;
    const p = chosen.params;
    const authorization = bounded(p.authorization ?? p.authorization_uri);
    const scope = bounded(p.scope);
    const resource = bounded(p.resource) ?? (scope ? scope.replace(/\/\.default$/i, '') : undefined);
    const tenant = tenantFromAuthority(authorization);
    const error = bounded(p.error, 64);
    const claims = bounded(p.claims, MAX_CLAIMS_CHARS);
    const scheme = chosen.scheme.toLowerCase() === 'bearer' ? 'Bearer' : chosen.scheme.slice(0, 32);
    const out: { -readonly [K in keyof Challenge]: Challenge[K] } = { scheme };
    if (authorization !== undefined) out.authorization = authorization;
    if (resource !== undefined) out.resource = resource;
    if (scope !== undefined) out.scope = scope;
    if (tenant !== undefined) out.tenant = tenant;
    if (error !== undefined) out.error = error;
    if (claims !== undefined) out.claims = claims;
    return Object.freeze(out);
  } catch {
    return null;
  }
}
