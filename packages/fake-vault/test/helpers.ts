import { createPublicKey } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import type { KeyVaultKey } from '@azure/keyvault-keys';
import { SecretClient } from '@azure/keyvault-secrets';
import type { FakeVault, MintClaims } from '../src/index.js';

/** A TokenCredential that hands out a token minted with the given claims (to make the SDK send a bad token). */
export function mintedCredential(vault: FakeVault, claims: MintClaims) {
  return {
    async getToken() {
      return { token: await vault.mintToken(claims), expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
}

export async function secretClient(vault: FakeVault): Promise<SecretClient> {
  return new SecretClient(vault.vaultUrl, await vault.credential(), vault.clientOptions());
}

/** Runs `fn` and returns what it threw (fails the test if nothing was thrown). */
export async function thrown(fn: () => Promise<unknown>): Promise<any> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/** fetch to the fake vault by its vault URL, with an optional bearer token. */
export function vaultFetch(vault: FakeVault, path: string, init: RequestInit & { token?: string } = {}): Promise<Response> {
  const { token, headers, ...rest } = init;
  return fetch(`${vault.vaultUrl}${path}`, {
    ...rest,
    // undici's Agent is a valid dispatcher for Node's fetch; the DOM RequestInit type does not know the option.
    ...({ dispatcher: vault.dispatcher() } as object),
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(headers as Record<string, string> | undefined) },
  });
}

/** A response body as JSON, untyped (for assertions). */
export async function json(res: Response): Promise<any> {
  return res.json();
}

/** The public half of a key the SDK returned, as a node:crypto KeyObject (to verify the vault's crypto outside it). */
export function jwkPublicKey(key: KeyVaultKey): KeyObject {
  const b64 = (u?: Uint8Array) => (u ? Buffer.from(u).toString('base64url') : undefined);
  const k = key.key!;
  const jwk = k.kty!.startsWith('RSA')
    ? { kty: 'RSA', n: b64(k.n), e: b64(k.e) }
    : { kty: 'EC', crv: k.crv === 'P-256K' ? 'secp256k1' : k.crv, x: b64(k.x), y: b64(k.y) };
  return createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
}
