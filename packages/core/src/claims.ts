import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { JWTPayload } from 'jose';
import type { TokenClaims } from './types.js';

/**
 * Tokens longer than this are not decoded (an Authorization header that big
 * is not an Entra token; decoding it would only cost time).
 */
const MAX_TOKEN_CHARS = 64 * 1024;
/** Claim strings are attribute values: keep them short. */
const MAX_CLAIM_CHARS = 256;

const ABSENT: TokenClaims = Object.freeze({ present: false });

function claimString(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > 0 ? value.slice(0, MAX_CLAIM_CHARS) : undefined;
  // `aud` may be an array (RFC 7519 4.1.3); Entra sends one string, so the first one is it.
  if (Array.isArray(value)) return claimString(value.find((v) => typeof v === 'string'));
  return undefined;
}

function claimNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : undefined;
}

function normaliseScheme(word: string): string | undefined {
  const lower = word.toLowerCase();
  if (lower === 'bearer') return 'Bearer';
  if (lower === 'pop') return 'PoP';
  // Only a short word is a scheme; anything else might be token text.
  return /^[A-Za-z][A-Za-z0-9_-]{0,19}$/.test(word) ? word : undefined;
}

function decodePayload(token: string): JWTPayload | undefined {
  if (token.length > MAX_TOKEN_CHARS) return undefined;
  try {
    // decodeJwt reads only the payload; a header that is not a JOSE header means not a JWT.
    const header = decodeProtectedHeader(token);
    if (typeof header.alg !== 'string') return undefined;
    return decodeJwt(token);
  } catch {
    return undefined;
  }
}

function fromPayload(p: JWTPayload, scheme: string | undefined): TokenClaims {
  const claims: Record<string, unknown> = { present: true, format: 'jwt' };
  if (scheme !== undefined) claims.scheme = scheme;
  const aud = claimString(p.aud);
  if (aud !== undefined) claims.aud = aud;
  const iss = claimString(p.iss);
  if (iss !== undefined) claims.iss = iss;
  const tid = claimString(p.tid);
  if (tid !== undefined) claims.tid = tid;
  const appid = claimString(p.appid) ?? claimString(p.azp);
  if (appid !== undefined) claims.appid = appid;
  const oid = claimString(p.oid);
  if (oid !== undefined) claims.oid = oid;
  const idtyp = claimString(p.idtyp);
  if (idtyp !== undefined) claims.idtyp = idtyp;
  const iat = claimNumber(p.iat);
  if (iat !== undefined) claims.iat = iat;
  const nbf = claimNumber(p.nbf);
  if (nbf !== undefined) claims.nbf = nbf;
  const exp = claimNumber(p.exp);
  if (exp !== undefined) claims.exp = exp;
  return Object.freeze(claims as unknown as TokenClaims);
}

/**
 * Decodes the claims of an Authorization header value without verifying it.
 * `Bearer <jwt>` yields the JWT's claims; `PoP <jwt>` (a signed HTTP request
 * whose `at` claim holds the access token) yields the inner access token's
 * claims; a token that is not a JWT yields `format: 'opaque'`. Never throws,
 * and the result never holds token text.
 * @example decodeAuthorization(req.headers.authorization).oid
 */
export function decodeAuthorization(value: string | null | undefined): TokenClaims {
  if (typeof value !== 'string') return ABSENT;
  const trimmed = value.trim();
  if (trimmed.length === 0) return ABSENT;
  const space = trimmed.search(/\s/);
  // A scheme word alone (`Bearer`) is an Authorization header without a token.
  if (space < 0 && /^(bearer|pop)$/i.test(trimmed)) return Object.freeze({ present: true, scheme: normaliseScheme(trimmed) as string });
  const scheme = space < 0 ? undefined : normaliseScheme(trimmed.slice(0, space));
  const token = space < 0 ? trimmed : trimmed.slice(space + 1).trim();
  const payload = decodePayload(token);
  if (payload === undefined) {
    return Object.freeze(scheme === undefined ? { present: true, format: 'opaque' as const } : { present: true, scheme, format: 'opaque' as const });
  }
  if (scheme === 'PoP' && typeof payload.at === 'string') {
    const inner = decodePayload(payload.at);
    if (inner !== undefined) return fromPayload(inner, scheme);
  }
  return fromPayload(payload, scheme);
}

/**
 * Values longer than this are decoded but not cached, so the cache's memory
 * stays bounded (maxEntries x 8 KB) whatever callers send.
 */
const MAX_CACHED_KEY_CHARS = 8 * 1024;

/**
 * A bounded LRU of {@link decodeAuthorization} results keyed by the header
 * value, so a token reused for an hour is decoded once. The key (the header
 * value) stays in this process's memory only; results hold no token text.
 * @example const cache = new ClaimsCache(); const claims = cache.get(authorization);
 */
export class ClaimsCache {
  readonly #max: number;
  readonly #map = new Map<string, TokenClaims>();

  constructor(maxEntries = 1000) {
    if (!Number.isInteger(maxEntries) || maxEntries < 0) {
      throw new TypeError(`ClaimsCache maxEntries must be a non-negative integer, got ${String(maxEntries)}`);
    }
    this.#max = maxEntries;
  }

  /** Number of cached entries. */
  get size(): number {
    return this.#map.size;
  }

  /** The claims of `authorizationValue`, decoded once per distinct value. */
  get(authorizationValue: string | null | undefined): TokenClaims {
    if (typeof authorizationValue !== 'string' || authorizationValue.length === 0) return ABSENT;
    const map = this.#map;
    const hit = map.get(authorizationValue);
    if (hit !== undefined) {
      // Re-inserting moves the entry to the newest end of the Map (LRU order).
      if (map.size > 1) {
        map.delete(authorizationValue);
        map.set(authorizationValue, hit);
      }
      return hit;
    }
    const claims = decodeAuthorization(authorizationValue);
    if (this.#max > 0 && authorizationValue.length <= MAX_CACHED_KEY_CHARS) {
      if (map.size >= this.#max) {
        const oldest = map.keys().next();
        if (!oldest.done) map.delete(oldest.value);
      }
      map.set(authorizationValue, claims);
    }
    return claims;
  }

  /** Drops every entry. */
  clear(): void {
    this.#map.clear();
  }
}
