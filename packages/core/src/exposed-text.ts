/**
 * Text shown to a service's clients only with `expose: true` (the problem
 * body's `hint` and `vault` members): caller identities scrubbed out.
 */
import { KEYVAULT_APP_ID } from './audiences.js';
import type { TokenClaims } from './types.js';

const GUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

// Key Vault's own application id is public (hints tell people to use it): kept.
/**
 * Replaces caller identities in text shown with `expose`: the token's claim
 * values, every GUID (object, app and tenant ids, whichever text they came
 * from: a vault message or a hint built from the token), and the
 * `appid=`/`oid=` pairs of Key Vault's messages. A JWT-looking string never
 * survives either.
 */
export function scrubClaims(text: string, claims?: TokenClaims): string {
  let out = text.replace(/eyJ[\w-]*\.[\w-]*\.?[\w-]*/g, '<token>');
  for (const key of ['iss', 'tid', 'oid', 'appid'] as const) {
    const value = claims?.[key];
    if (value && value.length >= 8) out = out.split(value).join(`<${key}>`);
  }
  out = out.replace(GUID, (id) => (id.toLowerCase() === KEYVAULT_APP_ID ? id : '<id>'));
  return out.replace(/\b(appid|oid|tid|azp|iss|upn|sub)=[^;,\s'"]+/gi, '$1=<redacted>');
}
