import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, generateKeyPair, exportJWK, jwtVerify, decodeProtectedHeader } from 'jose';
import type { CryptoKey, JWK, JWTPayload } from 'jose';

/** An app registration the issuer knows: client credentials flow only. */
export interface RegisteredClient {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Object id of the app's service principal, the `oid` claim. */
  readonly objectId: string;
  readonly tenantId: string;
  readonly displayName: string;
}

/** Claims a test can set when minting a token; anything else goes in as given. */
export interface MintClaims extends JWTPayload {
  aud?: string | string[];
  iss?: string;
  tid?: string;
  appid?: string;
  oid?: string;
  /** Seconds from now until `exp` (negative: already expired). Default 3600. */
  expiresInS?: number;
  /** Seconds from now until `nbf` (positive: not yet valid). Default -300. */
  notBeforeInS?: number;
}

const STS = 'https://sts.windows.net/';

let sharedKeyPair: ReturnType<typeof generateKeyPair> | undefined;

/**
 * One RSA key pair per process: RSA key generation dominates start() and
 * Entra ID itself signs for all tenants with shared keys. Each issuer still
 * has its own `kid`, so a token from another fake vault is refused (AKV10046).
 */
function signingKeyPair(): ReturnType<typeof generateKeyPair> {
  sharedKeyPair ??= generateKeyPair('RS256');
  sharedKeyPair.catch(() => {
    sharedKeyPair = undefined;
  });
  return sharedKeyPair;
}

/** The v1 issuer Key Vault tokens carry: Key Vault accepts v1 access tokens. */
export function stsIssuer(tenantId: string): string {
  return `${STS}${tenantId}/`;
}

export class TokenIssuer {
  readonly clients = new Map<string, RegisteredClient>();
  readonly tenants = new Set<string>();
  private privateKey!: CryptoKey;
  private jwk!: JWK;
  private publicKey!: CryptoKey;
  readonly kid = randomBytes(12).toString('base64url');
  private readonly verified = new Map<string, JWTPayload>();

  static async create(defaultTenant: string): Promise<TokenIssuer> {
    const issuer = new TokenIssuer();
    const { privateKey, publicKey } = await signingKeyPair();
    issuer.privateKey = privateKey;
    issuer.publicKey = publicKey;
    issuer.jwk = { ...(await exportJWK(publicKey)), kid: issuer.kid, use: 'sig', alg: 'RS256' };
    issuer.tenants.add(defaultTenant);
    return issuer;
  }

  jwks(): { keys: JWK[] } {
    return { keys: [this.jwk] };
  }

  register(tenantId: string, partial: Partial<RegisteredClient> = {}): RegisteredClient {
    const client: RegisteredClient = {
      clientId: partial.clientId ?? randomUUID(),
      clientSecret: partial.clientSecret ?? `fv~${randomBytes(24).toString('base64url')}`,
      objectId: partial.objectId ?? randomUUID(),
      tenantId: partial.tenantId ?? tenantId,
      displayName: partial.displayName ?? 'fake-vault-app',
    };
    this.tenants.add(client.tenantId);
    this.clients.set(client.clientId, client);
    return client;
  }

  /** Signs a v1 app-only access token the way Entra ID shapes one for Key Vault. */
  async mint(client: RegisteredClient | undefined, claims: MintClaims = {}): Promise<string> {
    const { expiresInS = 3600, notBeforeInS = -300, ...rest } = claims;
    const now = Math.floor(Date.now() / 1000);
    const tenantId = rest.tid ?? client?.tenantId ?? [...this.tenants][0]!;
    const payload: JWTPayload = {
      aud: 'https://vault.azure.net',
      iss: stsIssuer(tenantId),
      iat: now + Math.min(notBeforeInS, 0),
      nbf: now + notBeforeInS,
      exp: now + expiresInS,
      aio: randomBytes(16).toString('base64url'),
      appid: client?.clientId ?? randomUUID(),
      appidacr: '1',
      idp: stsIssuer(tenantId),
      idtyp: 'app',
      oid: client?.objectId ?? randomUUID(),
      rh: '0.fake.',
      sub: client?.objectId ?? randomUUID(),
      tid: tenantId,
      uti: randomBytes(16).toString('base64url'),
      ver: '1.0',
      xms_tcdt: now - 86_400 * 365,
      ...rest,
    };
    return new SignJWT(payload).setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: this.kid, x5t: this.kid }).sign(this.privateKey);
  }

  /**
   * Checks the signature only. Time, audience and issuer are judged by the
   * vault afterwards so that each failure gets the vault's own text.
   */
  async verifySignature(token: string): Promise<JWTPayload | null> {
    // Clients reuse a token for an hour; caching verified ones keeps the fake cheap under benchmarks.
    const cached = this.verified.get(token);
    if (cached) return cached;
    try {
      const header = decodeProtectedHeader(token);
      if (header.kid !== this.kid) return null;
      // Time claims are judged by the vault itself (its own texts), hence the tolerance.
      const { payload } = await jwtVerify(token, this.publicKey, { clockTolerance: Number.MAX_SAFE_INTEGER });
      if (this.verified.size >= 1000) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, payload);
      return payload;
    } catch {
      return null;
    }
  }
}
