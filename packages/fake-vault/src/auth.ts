import { decodeJwt } from 'jose';
import type { JWTPayload } from 'jose';
import type { TokenIssuer } from './issuer.js';
import { stsIssuer } from './issuer.js';
import { AKV10000, TOKEN_EXPIRED, TOKEN_MALFORMED, TOKEN_NOT_YET_VALID, akv10022, akv10032, akv10046 } from './texts.js';

import { CLOUDS, VAULT_APP_ID } from './clouds.js';
import type { VaultCloud } from './clouds.js';

/** The public cloud's vault resource URL. */
export const VAULT_RESOURCE = 'https://vault.azure.net';
export { VAULT_APP_ID };
const PUBLIC_VAULT: VaultCloud = CLOUDS[0]!;

/** The caller as the vault names it in its 403 texts. */
export interface Caller {
  readonly appid: string;
  readonly oid: string;
  readonly iss: string;
  readonly tid: string;
  /** `appid=<a>;oid=<o>;iss=<i>` */
  readonly label: string;
}

export type AuthResult = { ok: true; caller: Caller } | { ok: false; message: string };

/** Clock skew the vault tolerates on exp/nbf, in seconds. */
const SKEW_S = 300;

/**
 * Validates the Authorization header in the order the vault reports
 * failures: presence, format, signature key, lifetime, audience, issuer.
 */
export async function authenticate(header: string | undefined, issuer: TokenIssuer, tenantId: string, cloud: VaultCloud = PUBLIC_VAULT): Promise<AuthResult> {
  const match = /^(?:Bearer|PoP)\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) return { ok: false, message: AKV10000 };
  const token = match[1]!;
  let claims: JWTPayload;
  try {
    claims = decodeJwt(token);
  } catch {
    return { ok: false, message: TOKEN_MALFORMED };
  }
  const verified = await issuer.verifySignature(token);
  if (!verified) return { ok: false, message: akv10046(token.split('.')[0] ?? '') };
  const now = Math.floor(Date.now() / 1000);
  if (typeof claims.exp === 'number' && claims.exp + SKEW_S <= now) return { ok: false, message: TOKEN_EXPIRED };
  if (typeof claims.nbf === 'number' && claims.nbf - SKEW_S > now) return { ok: false, message: TOKEN_NOT_YET_VALID };
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud ?? ''];
  // Exactly the resource URL (no trailing slash) or, for vaults, Key Vault's app id (DESIGN.md "Valid audiences").
  const valid = (a: string): boolean => a === cloud.resource || (cloud.kind === 'vault' && a === VAULT_APP_ID);
  if (!audiences.some(valid)) {
    return { ok: false, message: akv10022(cloud.resource, audiences.join(', ')) };
  }
  const validIssuers = [
    stsIssuer(tenantId),
    `https://login.microsoftonline.com/${tenantId}/v2.0`,
    `https://login.windows.net/${tenantId}/`,
    `https://login.microsoft.com/${tenantId}/`,
  ];
  if (!validIssuers.includes(String(claims.iss ?? ''))) {
    return { ok: false, message: akv10032(validIssuers, String(claims.iss ?? '')) };
  }
  const appid = String(claims.appid ?? claims.azp ?? '');
  const oid = String(claims.oid ?? '');
  const iss = String(claims.iss);
  return { ok: true, caller: { appid, oid, iss, tid: String(claims.tid ?? tenantId), label: `appid=${appid};oid=${oid};iss=${iss}` } };
}

/** The challenge every 401 carries; the SDK takes the tenant from the authorization URI. */
export function challengeHeader(tenantId: string, cloud: VaultCloud = PUBLIC_VAULT): string {
  return `Bearer authorization="${cloud.login}/${tenantId}", resource="${cloud.resource}"`;
}

/**
 * The Continuous Access Evaluation challenge Key Vault sends when it wants a
 * fresher token (format as captured in the Azure SDK's CAE tests, 2024).
 */
export function claimsChallengeHeader(): string {
  const claims = JSON.stringify({ access_token: { nbf: { essential: true, value: String(Math.floor(Date.now() / 1000)) }, xms_caeerror: { value: '10012' } } });
  return `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="${Buffer.from(claims).toString('base64')}"`;
}
