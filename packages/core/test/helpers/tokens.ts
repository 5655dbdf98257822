import { SignJWT, generateKeyPair } from 'jose';
import type { JWTPayload } from 'jose';

/** Tenant, app and object ids used across core's tests (made up, GUID-shaped). */
export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const OTHER_TENANT = '11111111-2222-3333-4444-555555555555';
export const APP_ID = '0b1c2d3e-aaaa-bbbb-cccc-000000000001';
export const OBJECT_ID = '9f8e7d6c-aaaa-bbbb-cccc-000000000002';

const keys = generateKeyPair('RS256');

/** A signed Entra-shaped access token minted here; `overrides` replace or (with `undefined`) drop claims. */
export async function mintToken(overrides: Record<string, unknown> = {}, nowS = Math.floor(Date.now() / 1000)): Promise<string> {
  const claims: Record<string, unknown> = {
    aud: 'https://vault.azure.net',
    iss: `https://sts.windows.net/${TENANT}/`,
    tid: TENANT,
    appid: APP_ID,
    oid: OBJECT_ID,
    idtyp: 'app',
    iat: nowS - 60,
    nbf: nowS - 60,
    exp: nowS + 3600,
    ...overrides,
  };
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
  const { privateKey } = await keys;
  return new SignJWT(claims as JWTPayload)
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'test-key' })
    .sign(privateKey);
}

/** A PoP token: a signed request whose `at` claim carries the access token. */
export async function mintPop(accessToken: string): Promise<string> {
  const { privateKey } = await keys;
  return new SignJWT({ at: accessToken, ts: Math.floor(Date.now() / 1000), m: 'GET', u: 'myvault.vault.azure.net', p: '/secrets/a' })
    .setProtectedHeader({ alg: 'RS256', typ: 'pop' })
    .sign(privateKey);
}

/** The signature part of a compact JWS: must never appear in any output. */
export function signatureOf(token: string): string {
  return token.split('.')[2] ?? '';
}
