/**
 * Text shown to a service's clients only with `expose: true` (the problem
 * body's `hint` and `vault` members): caller identities scrubbed out, and
 * every string bounded, since what the vault (or a gateway in front of it)
 * sends is not: a 100 KB HTML error page becomes the SDK's `RestError.message`.
 */
import { KEYVAULT_APP_ID } from './audiences.js';
import type { TokenClaims } from './types.js';

const GUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

/**
 * `Bearer <credential>` / `PoP <credential>` as a proxy or gateway echoes an
 * Authorization header: an RFC 6750 b64token of 8 or more characters. Not an
 * auth-param (`Bearer authorization="https://..."` in an echoed challenge), and
 * not Key Vault's own "missing a Bearer or PoP token" (the words are short).
 */
const SCHEME_CREDENTIAL = /\b(Bearer|PoP)\s+(?![A-Za-z_][\w-]*=(?:"|[^\s,;"'=]))[\w.~+/-]{8,}=*(?![\w.~+/=-])/gi;

/**
 * `text` without the credential that was sent (the Authorization value, and
 * the part after its scheme), wherever a proxy or the server echoed it: opaque
 * tokens have no shape to recognise. Shorter than 8 characters, it is left
 * alone (it would match ordinary words; the scheme pattern still applies).
 */
export function withoutCredential(text: string, authorization: string | null | undefined): string {
  const sent = authorization?.trim();
  if (!sent) return text;
  let out = text;
  const credential = /^(?:Bearer|PoP)\s+(.+)$/i.exec(sent)?.[1]?.trim();
  for (const value of [sent, credential]) {
    if (value !== undefined && value.length >= 8) out = out.split(value).join('<token>');
  }
  return out;
}

// Key Vault's own application id is public (hints tell people to use it): kept.
/**
 * Replaces caller identities in text shown with `expose`: the token's claim
 * values, every GUID (object, app and tenant ids, whichever text they came
 * from: a vault message or a hint built from the token), and the
 * `appid=`/`oid=` pairs of Key Vault's messages. A JWT-looking string, or a
 * credential after `Bearer`/`PoP`, never survives either.
 */
export function scrubClaims(text: string, claims?: TokenClaims): string {
  let out = text.replace(/eyJ[\w-]*\.[\w-]*\.?[\w-]*/g, '<token>').replace(SCHEME_CREDENTIAL, '$1 <token>');
  for (const key of ['iss', 'tid', 'oid', 'appid'] as const) {
    const value = claims?.[key];
    if (value && value.length >= 8) out = out.split(value).join(`<${key}>`);
  }
  out = out.replace(GUID, (id) => (id.toLowerCase() === KEYVAULT_APP_ID ? id : '<id>'));
  return out.replace(/\b(appid|oid|tid|azp|iss|upn|sub)=[^;,\s'"]+/gi, '$1=<redacted>');
}

/** The vault's message: Key Vault's longest (the RBAC denial) is about 700 characters. */
export const MAX_EXPOSED_MESSAGE_CHARS = 1024;
/** A hint: kvtrace's sentence, with values from the vault and the token. */
export const MAX_EXPOSED_HINT_CHARS = 1024;
/** Request ids, error codes, vault names: a request id is a 36-character GUID. */
export const MAX_EXPOSED_ID_CHARS = 128;
/** Appended where text was cut, within the bound. */
export const ELLIPSIS = '\u2026';

/** `text` cut to at most `max` characters, the last being an ellipsis; never splits a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}${ELLIPSIS}`;
}

function isIdChar(c: number): boolean {
  // [A-Za-z0-9_-]: what tokens, GUIDs and claim values are made of.
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45;
}

/** Longer than any identifier scrubbed by length (a GUID is 36 characters). */
const MAX_ID_RUN = 64;

/**
 * `text` scrubbed of caller identities and bounded to `max` characters.
 * Scrubbing runs on a window of 4 * `max` (it shortens tokens and ids, so the
 * window holds more than `max` of output), which bounds its cost: its token
 * pattern backtracks, 9 s on 100 KB of `eyJ`. The window's end steps back over
 * up to 64 identifier characters, so no id cut there shows its start. The
 * result is cut after scrubbing, so an id at `max` is scrubbed whole first.
 */
export function exposedText(text: string, max: number, claims?: TokenClaims): string {
  let head = text;
  const window = max * 4;
  if (text.length > window) {
    let end = window;
    while (end > window - MAX_ID_RUN && isIdChar(text.charCodeAt(end - 1))) end--;
    head = text.slice(0, end);
  }
  return clip(scrubClaims(head, claims), max);
}
