/**
 * kvtrace on the real Azure SDK (SecretClient + ClientSecretCredential over
 * node:https) and on fetch, against fake-vault over HTTPS. Every assertion is
 * on ENDED spans (in-memory exporter) and on collected metric points.
 */
import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { start } from '@kvtrace/fake-vault';
import type { FakeVault } from '@kvtrace/fake-vault';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstrumentations } from '../src/index.js';
import { points, startTelemetry } from './telemetry.js';
import type { Telemetry } from './telemetry.js';

const SECRET_VALUE = 'hunter2-kvtrace-test-value';
let vault: FakeVault;
let telemetry: Telemetry;
let client: SecretClient;

beforeAll(async () => {
  telemetry = startTelemetry(createInstrumentations());
  vault = await start({ vaultName: 'kvtracetest', region: 'westeurope', clientAddress: '203.0.113.7' });
  const credential = new ClientSecretCredential(vault.tenantId, vault.clientId, vault.clientSecret, vault.credentialOptions());
  client = new SecretClient(vault.vaultUrl, credential, vault.clientOptions());
  await client.setSecret('db-password', SECRET_VALUE);
});

afterAll(async () => {
  await vault?.close();
  await telemetry?.shutdown();
});

/** Ended client spans of one vault operation, oldest first. */
function vaultSpans(operation: string): ReadableSpan[] {
  return telemetry.clientSpans().filter((s) => s.attributes['keyvault.vault.name'] === 'kvtracetest' && s.attributes['keyvault.operation'] === operation);
}

function fetchVault(path: string, init: RequestInit & { token?: string } = {}): Promise<Response> {
  const { token, ...rest } = init;
  return fetch(`${vault.vaultUrl}${path}`, {
    ...rest,
    ...({ dispatcher: vault.dispatcher() } as object),
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}

describe('Azure SDK (node:https)', () => {
  it('marks the handshake 401 as a challenge with status OK, and the authorised call with claims and vault facts', async () => {
    const fresh = new SecretClient(
      vault.vaultUrl,
      new ClientSecretCredential(vault.tenantId, vault.clientId, vault.clientSecret, vault.credentialOptions()),
      vault.clientOptions(),
    );
    const secret = await fresh.getSecret('db-password');
    expect(secret.value).toBe(SECRET_VALUE);

    const spans = vaultSpans('secrets.get');
    const challenge = spans.filter((s) => s.attributes['keyvault.cause'] === 'challenge').at(-1);
    expect(challenge?.attributes).toMatchObject({
      'http.response.status_code': 401,
      'keyvault.outcome': 'challenge',
      'keyvault.token.present': false,
      'keyvault.challenge.resource': 'https://vault.azure.net',
      'keyvault.challenge.tenant': vault.tenantId,
    });
    expect(challenge?.status.code).toBe(1); // OK: final, so the instrumentation's ERROR did not stick

    const ok = spans.filter((s) => s.attributes['http.response.status_code'] === 200).at(-1);
    expect(ok?.attributes).toMatchObject({
      'azure.resource_provider.namespace': 'Microsoft.KeyVault',
      'keyvault.vault.name': 'kvtracetest',
      'keyvault.vault.kind': 'vault',
      'keyvault.vault.region': 'westeurope',
      'keyvault.operation': 'secrets.get',
      'keyvault.object.name': 'db-password',
      'keyvault.outcome': 'ok',
      'keyvault.network.client_address': '203.0.113.7',
      'keyvault.token.present': true,
      'keyvault.token.format': 'jwt',
      'keyvault.token.aud': 'https://vault.azure.net',
      'keyvault.token.tid': vault.tenantId,
      'keyvault.token.appid': vault.clientId,
      'keyvault.token.oid': vault.objectId,
      'keyvault.retryable': false,
    });
    expect(ok?.attributes['url.full']).toMatch(/^https:\/\/kvtracetest\.vault\.azure\.net:\d+\/secrets\/db-password\/?\?api-version=[\w.-]+$/);
    expect(ok?.attributes['azure.service.request.id']).toEqual(expect.any(String));
    expect(ok?.attributes['keyvault.client_request_id']).toEqual(expect.any(String));
    // The SDK sends `api%2Dversion=` (core's parseVaultUrl reads it): the attribute is the version url.full shows.
    const sentVersion = /\?api-version=([\w.-]+)$/.exec(String(ok?.attributes['url.full']))?.[1];
    expect(ok?.attributes['keyvault.api_version'], JSON.stringify(ok?.attributes)).toBe(sentVersion);
    expect(sentVersion).toMatch(/^\d{4}-\d{2}-\d{2}|^7\.\d$/);
    expect(ok?.attributes['keyvault.token.expires_in_s']).toBeGreaterThan(3000);
    expect(ok?.attributes['keyvault.throttle.limit']).toBe(4000);
    expect(ok?.attributes['keyvault.throttle.utilization']).toBeGreaterThan(0);
    expect(ok?.attributes['keyvault.cause']).toBeUndefined();
  });

  it('explains a 403 access-policy denial on an ERROR span, with the caller named in the hint', async () => {
    vault.revoke(vault.objectId, { secrets: ['get'] });
    try {
      await expect(client.getSecret('db-password')).rejects.toMatchObject({ statusCode: 403 });
    } finally {
      vault.grant(vault.objectId, { secrets: ['get'] });
    }
    const span = vaultSpans('secrets.get').filter((s) => s.attributes['http.response.status_code'] === 403).at(-1);
    expect(span?.attributes).toMatchObject({
      'keyvault.outcome': 'forbidden',
      'keyvault.cause': 'access_policy',
      'keyvault.error.code': 'Forbidden',
      'keyvault.error.inner_code': 'AccessDenied',
    });
    expect(String(span?.attributes['keyvault.hint'])).toContain(vault.objectId);
    expect(span?.status.code).toBe(2);
    expect(span?.events.find((e) => e.name === 'keyvault.diagnosis')?.attributes).toMatchObject({ 'keyvault.cause': 'access_policy' });
  });

  it('records a throttled call with retry-after, utilization and the histogram, then the SDK retries', async () => {
    vault.setThrottle({ retryAfterS: 1, count: 1 });
    const secret = await client.getSecret('db-password');
    expect(secret.value).toBe(SECRET_VALUE);
    const span = vaultSpans('secrets.get').filter((s) => s.attributes['http.response.status_code'] === 429).at(-1);
    expect(span?.attributes).toMatchObject({
      'keyvault.outcome': 'throttled',
      'keyvault.cause': 'throttled',
      'keyvault.error.code': 'Throttled',
      'keyvault.retryable': true,
      'keyvault.retry_after_ms': 1000,
      'keyvault.throttle.limit': 4000,
    });
    expect(span?.attributes['keyvault.throttle.utilization']).toBeGreaterThan(0);
    expect(span?.status.code).toBe(2);

    const metrics = await telemetry.collectMetrics();
    const retry = points(metrics, 'keyvault.retry_after').find((p) => p.attributes['keyvault.operation'] === 'secrets.get');
    expect(retry?.attributes).toEqual({ 'keyvault.vault.name': 'kvtracetest', 'keyvault.operation': 'secrets.get' });
    expect((retry?.value as { sum: number }).sum).toBeGreaterThanOrEqual(1);
  }, 20_000);

  it('leaves the token request to the issuer alone', () => {
    const tokenSpans = telemetry.clientSpans().filter((s) => String(s.attributes['url.full']).includes('/oauth2/'));
    expect(tokenSpans.length).toBeGreaterThan(0);
    for (const s of tokenSpans) expect(Object.keys(s.attributes).filter((k) => k.startsWith('keyvault.') || k.startsWith('azure.'))).toEqual([]);
  });
});

describe('fetch (undici)', () => {
  it('a fetch without Authorization is missing_token, and keeps its ERROR status', async () => {
    const res = await fetchVault('/secrets/db-password?api-version=7.5');
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } });
    const span = vaultSpans('secrets.get').at(-1);
    expect(span?.attributes).toMatchObject({ 'keyvault.cause': 'missing_token', 'keyvault.outcome': 'unauthenticated', 'keyvault.token.present': false });
    expect(span?.status.code).toBe(2);
  });

  it.each([
    ['token_expired', { expiresInS: -600 }],
    ['token_not_yet_valid', { notBeforeInS: 900 }],
    ['wrong_audience', { aud: 'https://management.azure.com/' }],
    ['wrong_audience', { aud: 'https://vault.azure.net/' }],
  ] as const)('diagnoses %s from the claims and the body', async (cause, claims) => {
    const token = await vault.mintToken(claims);
    const res = await fetchVault('/secrets/db-password?api-version=7.5', { token });
    expect(res.status).toBe(401);
    await res.text();
    const span = vaultSpans('secrets.get').at(-1);
    expect(span?.attributes['keyvault.cause']).toBe(cause);
    expect(span?.attributes['keyvault.token.present']).toBe(true);
    expect(span?.status.code).toBe(2);
  });

  it('diagnoses wrong_tenant for a token issued by another tenant', async () => {
    const stranger = vault.registerClient({ tenantId: '0a0b0c0d-1111-2222-3333-444455556666' });
    const token = await vault.mintToken({}, stranger);
    const res = await fetchVault('/secrets/db-password?api-version=7.5', { token });
    expect(res.status).toBe(401);
    await res.text();
    const span = vaultSpans('secrets.get').at(-1);
    expect(span?.attributes).toMatchObject({ 'keyvault.cause': 'wrong_tenant', 'keyvault.token.tid': '0a0b0c0d-1111-2222-3333-444455556666' });
  });

  it('diagnoses a firewall 403 and names the client address the vault saw', async () => {
    vault.setFirewall({ allow: ['10.0.0.0/8'] });
    try {
      const res = await fetchVault('/secrets/db-password?api-version=7.5', { token: await vault.mintToken() });
      expect(res.status).toBe(403);
      await res.text();
    } finally {
      vault.setFirewall(null);
    }
    const span = vaultSpans('secrets.get').at(-1);
    expect(span?.attributes).toMatchObject({ 'keyvault.cause': 'firewall', 'keyvault.error.inner_code': 'ForbiddenByFirewall' });
    expect(String(span?.attributes['keyvault.hint'])).toContain('203.0.113.7');
  });

  it('a 429 without Retry-After: throttled, no retry_after_ms, and the hint says the vault sent none', async () => {
    vault.setThrottle({ retryAfterS: null, count: 1 });
    const res = await fetchVault('/secrets/db-password?api-version=7.5', { token: await vault.mintToken() });
    expect(res.status).toBe(429);
    await res.text();
    const span = vaultSpans('secrets.get').at(-1);
    expect(span?.attributes).toMatchObject({ 'keyvault.cause': 'throttled', 'keyvault.outcome': 'throttled' });
    expect(span?.attributes['keyvault.retry_after_ms']).toBeUndefined();
    expect(String(span?.attributes['keyvault.hint'])).toMatch(/Retry-After/i);
  });

  it('reads a secret with a minted token: attributes as on the SDK path', async () => {
    const token = await vault.mintToken();
    const res = await fetchVault('/secrets/db-password?api-version=7.5&secret=extra', { token });
    expect(((await res.json()) as { value: string }).value).toBe(SECRET_VALUE);
    const span = vaultSpans('secrets.get').at(-1);
    expect(span?.attributes).toMatchObject({ 'keyvault.operation': 'secrets.get', 'keyvault.outcome': 'ok', 'keyvault.token.oid': vault.objectId });
    // Only api-version survives, in url.full and in the undici span's url.query alike.
    expect(span?.attributes['url.full']).toBe(`${vault.vaultUrl}/secrets/db-password?api-version=7.5`);
    expect(span?.attributes['url.query']).toBe('?api-version=7.5');
  });
});

describe('metrics and secrets', () => {
  it('counts requests with outcome and cause (none when there is none), and observes utilization', async () => {
    const metrics = await telemetry.collectMetrics();
    const requests = points(metrics, 'keyvault.requests').filter((p) => p.attributes['keyvault.vault.name'] === 'kvtracetest');
    const find = (cause: string, status: number) =>
      requests.find(
        (p) =>
          p.attributes['keyvault.cause'] === cause &&
          p.attributes['http.response.status_code'] === status &&
          p.attributes['keyvault.operation'] === 'secrets.get',
      );
    expect(find('none', 200)?.attributes).toEqual({
      'keyvault.vault.name': 'kvtracetest',
      'keyvault.operation': 'secrets.get',
      'http.response.status_code': 200,
      'keyvault.outcome': 'ok',
      'keyvault.cause': 'none',
    });
    expect(find('challenge', 401)?.value).toBeGreaterThanOrEqual(1);
    expect(find('missing_token', 401)?.value).toBe(1);
    expect(find('access_policy', 403)?.value).toBe(1);
    expect(find('throttled', 429)?.value).toBe(2); // one through the SDK, one through fetch
    const gauge = points(metrics, 'keyvault.throttle.utilization').find((p) => p.attributes['keyvault.vault.name'] === 'kvtracetest');
    expect(gauge?.value).toBeGreaterThan(0);
  });

  it('records no token, signature, secret value or client secret anywhere in spans', async () => {
    const token = await vault.mintToken();
    await (await fetchVault('/secrets/db-password?api-version=7.5', { token })).text();
    const everything = JSON.stringify(
      telemetry.spans.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status })),
    );
    const [, payload, signature] = token.split('.');
    expect(everything).not.toContain(signature);
    expect(everything).not.toContain(payload);
    expect(everything).not.toContain(SECRET_VALUE);
    expect(everything).not.toContain(vault.clientSecret);
  });
});
