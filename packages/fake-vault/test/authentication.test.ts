import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretClient } from '@azure/keyvault-secrets';
import { ClientSecretCredential } from '@azure/identity';
import { start } from '../src/index.js';
import type { FakeVault } from '../src/index.js';
import { mintedCredential, thrown, vaultFetch, json } from './helpers.js';

let vault: FakeVault;

beforeAll(async () => {
  vault = await start({ vaultName: 'authvault' });
});
afterAll(() => vault.close());

const CHALLENGE = () => `Bearer authorization="https://login.windows.net/${vault.tenantId}", resource="https://vault.azure.net"`;

describe('the challenge handshake', () => {
  it('answers a request without a token with 401, AKV10000 and the challenge header', async () => {
    const res = await vaultFetch(vault, '/secrets/x?api-version=2025-07-01');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(CHALLENGE());
    expect(await res.text()).toBe('{"error":{"code":"Unauthorized","message":"AKV10000: Request is missing a Bearer or PoP token."}}');
  });

  it('lets the SDK complete it with its challenge-resource verification on', async () => {
    const before = vault.requests.length;
    const client = new SecretClient(vault.vaultUrl, await vault.credential(), vault.clientOptions());
    await client.setSecret('handshake', 'ok');
    const seen = vault.requests.slice(before);
    expect(seen.map((r) => r.status)).toEqual([401, 200]);
    expect(seen[0]!.userAgent).toMatch(/^azsdk-js-keyvault-secrets\//);
  });
});

describe('token failures surface as RestError with the real texts', () => {
  const cases: Array<[string, Parameters<FakeVault['mintToken']>[0], (v: FakeVault) => string]> = [
    ['ARM audience', { aud: 'https://management.azure.com/' }, () => 'AKV10022: Invalid audience. Expected https://vault.azure.net, found: https://management.azure.com/.'],
    ['trailing-slash audience', { aud: 'https://vault.azure.net/' }, () => 'AKV10022: Invalid audience. Expected https://vault.azure.net, found: https://vault.azure.net/.'],
    ['spn: audience', { aud: 'spn:cfa8b339-82a2-471a-a3c9-0fc0be7a4093' }, () => 'AKV10022: Invalid audience. Expected https://vault.azure.net, found: spn:cfa8b339-82a2-471a-a3c9-0fc0be7a4093.'],
    ['expired', { expiresInS: -3600 }, () => "[TokenExpired] Error validating token: 'S2S12086'."],
    ['not yet valid', { notBeforeInS: 3600 }, () => "[TokenNotYetValid] Error validating token: 'S2S12085'."],
    [
      'other tenant',
      { tid: '11111111-2222-3333-4444-555555555555', iss: 'https://sts.windows.net/11111111-2222-3333-4444-555555555555/' },
      (v) =>
        `AKV10032: Invalid issuer. Expected one of https://sts.windows.net/${v.tenantId}/, https://login.microsoftonline.com/${v.tenantId}/v2.0, https://login.windows.net/${v.tenantId}/, https://login.microsoft.com/${v.tenantId}/, found https://sts.windows.net/11111111-2222-3333-4444-555555555555/.`,
    ],
  ];

  for (const [label, claims, message] of cases) {
    it(`${label}: 401 through the SDK`, async () => {
      const client = new SecretClient(vault.vaultUrl, mintedCredential(vault, claims!), vault.clientOptions());
      const err = await thrown(() => client.getSecret('anything'));
      expect(err.name).toBe('RestError');
      expect(err.statusCode).toBe(401);
      expect(err.code).toBe('Unauthorized');
      expect(err.message).toBe(message(vault));
      expect(err.response.headers.get('www-authenticate')).toBe(CHALLENGE());
      expect(err.response.headers.get('x-ms-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(err.request.headers.get('authorization')).toMatch(/^Bearer ey/);
    });
  }

  it('accepts the Key Vault application id as audience', async () => {
    const res = await vaultFetch(vault, '/secrets?api-version=7.5', { token: await vault.mintToken({ aud: 'cfa8b339-82a2-471a-a3c9-0fc0be7a4093' }) });
    expect(res.status).toBe(200);
  });

  it('rejects an opaque token and a token signed by an unknown key', async () => {
    const opaque = await vaultFetch(vault, '/secrets?api-version=7.5', { token: 'not-a-jwt-at-all' });
    expect(opaque.status).toBe(401);
    expect((await json(opaque)).error.code).toBe('Unauthorized');
    const good = await vault.mintToken();
    const other = await start();
    try {
      const foreign = await other.mintToken({ tid: vault.tenantId, iss: `https://sts.windows.net/${vault.tenantId}/` });
      const res = await vaultFetch(vault, '/secrets?api-version=7.5', { token: foreign });
      expect(res.status).toBe(401);
      expect((await json(res)).error.message).toMatch(/^AKV10046: Unable to resolve the key used for signature validation\./);
      expect((await vaultFetch(vault, '/secrets?api-version=7.5', { token: good })).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe('the token issuer through @azure/identity', () => {
  it('issues a vault token to ClientSecretCredential', async () => {
    const token = await (await vault.credential()).getToken('https://vault.azure.net/.default');
    const payload = JSON.parse(Buffer.from(token!.token.split('.')[1]!, 'base64url').toString());
    expect(payload).toMatchObject({ aud: 'https://vault.azure.net', iss: `https://sts.windows.net/${vault.tenantId}/`, tid: vault.tenantId, appid: vault.clientId, oid: vault.objectId, idtyp: 'app', ver: '1.0' });
  });

  // @azure/identity 4.13 hands the token endpoint's answer to MSAL, whose ServerError it wraps as
  // AuthenticationRequiredError (not AuthenticationError); the AADSTS text survives in the message.
  it('AADSTS7000215 for a wrong secret', async () => {
    const cred = new ClientSecretCredential(vault.tenantId, vault.clientId, 'wrong-secret', vault.credentialOptions());
    const err = await thrown(() => cred.getToken('https://vault.azure.net/.default'));
    expect(err.name).toBe('AuthenticationRequiredError');
    expect(err.message).toMatch(/^invalid_client: Error\(s\): 7000215 - Timestamp: \S+ \S+ - Description: AADSTS7000215: Invalid client secret provided\./);
    expect(err.message).toContain(`for a secret added to app '${vault.clientId}'.`);
  });

  it('AADSTS700016 for an unknown client', async () => {
    const cred = new ClientSecretCredential(vault.tenantId, '00000000-0000-0000-0000-000000000001', 's', vault.credentialOptions());
    const err = await thrown(() => cred.getToken('https://vault.azure.net/.default'));
    expect(err.name).toBe('AuthenticationRequiredError');
    expect(err.message).toMatch(/^unauthorized_client: Error\(s\): 700016 - .* AADSTS700016: Application with identifier '00000000-0000-0000-0000-000000000001' was not found in the directory/);
  });

  it('AADSTS90002 for an unknown tenant: MSAL fails on the OpenID configuration', async () => {
    const tenant = '99999999-9999-9999-9999-999999999999';
    const cred = new ClientSecretCredential(tenant, vault.clientId, vault.clientSecret, vault.credentialOptions());
    const err = await thrown(() => cred.getToken('https://vault.azure.net/.default'));
    expect(err.name).toBe('CredentialUnavailableError');
    expect(err.message).toMatch(/^endpoints_resolution_error/);
    const res = await fetch(`${vault.authorityHost}/${tenant}/v2.0/.well-known/openid-configuration`, { ...({ dispatcher: vault.dispatcher() } as object) });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error).toBe('invalid_tenant');
    expect(body.error_codes).toEqual([90002]);
    expect(body.error_description).toMatch(new RegExp(`^AADSTS90002: Tenant '${tenant}' not found\\. Check to make sure you have the correct tenant ID and are signing into the correct cloud\\.`));
    expect(body.error_uri).toBe('https://login.microsoftonline.com/error?code=90002');
  });

  it('a token failure reaches SecretClient callers as the identity error', async () => {
    const cred = new ClientSecretCredential(vault.tenantId, vault.clientId, 'wrong-secret', vault.credentialOptions());
    const client = new SecretClient(vault.vaultUrl, cred, vault.clientOptions());
    const err = await thrown(() => client.getSecret('x'));
    expect(err.name).toBe('AuthenticationRequiredError');
    expect(err.message).toContain('AADSTS7000215');
  });

  it('a client of another tenant gets AADSTS700016 when the challenge names the vault tenant', async () => {
    const foreign = vault.registerClient({ tenantId: '22222222-3333-4444-5555-666666666666' });
    const cred = new ClientSecretCredential(foreign.tenantId, foreign.clientId, foreign.clientSecret, { ...vault.credentialOptions(), additionallyAllowedTenants: ['*'] });
    expect(await cred.getToken('https://vault.azure.net/.default')).toBeTruthy();
    const client = new SecretClient(vault.vaultUrl, cred, vault.clientOptions());
    const err = await thrown(() => client.getSecret('x'));
    expect(err.message).toContain('AADSTS700016');
  });
});
