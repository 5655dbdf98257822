import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SecretClient } from '@azure/keyvault-secrets';
import { start } from '../src/index.js';
import type { FakeVault } from '../src/index.js';
import { secretClient, thrown, vaultFetch, json } from './helpers.js';

let vault: FakeVault;
let client: SecretClient;
let token: string;

beforeAll(async () => {
  vault = await start({ vaultName: 'faultvault' });
  client = await secretClient(vault);
  await client.setSecret('target', 'value');
  token = await vault.mintToken();
});
afterAll(() => vault.close());
afterEach(() => {
  vault.clearFaults();
  vault.setGzip(false);
});

const get = (headers?: Record<string, string>) => vaultFetch(vault, '/secrets/target?api-version=7.5', { token, ...(headers ? { headers } : {}) });

describe('fault injection', () => {
  it('forced status: fetch sees it; the SDK retries a 503 and succeeds', async () => {
    vault.inject({ status: 503, headers: { 'retry-after': '0' }, times: 1 });
    const res = await get();
    expect(res.status).toBe(503);
    expect((await json(res)).error.code).toBe('InternalServerError');
    vault.inject({ status: 503, times: 1, match: { operation: 'get' } });
    const before = vault.requests.length;
    expect((await client.getSecret('target')).value).toBe('value');
    expect(vault.requests.slice(before).map((r) => r.status)).toEqual([503, 200]);
  });

  it('forced status with a custom body surfaces through the SDK', async () => {
    vault.inject({ status: 500, body: { error: { code: 'InternalServerError', message: 'boom' } }, match: { path: '/secrets/target' } });
    const noRetry = new SecretClient(vault.vaultUrl, await vault.credential(), { ...vault.clientOptions(), retryOptions: { maxRetries: 0 } });
    const err = await thrown(() => noRetry.getSecret('target'));
    expect(err.statusCode).toBe(500);
    expect(err.message).toBe('boom');
  });

  it('latency', async () => {
    vault.inject({ latencyMs: 300, times: 1 });
    const t0 = Date.now();
    expect((await get()).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it('connection reset: fetch fails, the SDK retries and succeeds', async () => {
    vault.inject({ reset: true, times: 1 });
    const err = await thrown(() => get());
    expect(err).toBeInstanceOf(TypeError);
    expect(String(err.cause?.code ?? err.cause?.message)).toMatch(/ECONNRESET|UND_ERR_SOCKET|other side closed/);
    vault.inject({ reset: true, times: 1 });
    expect((await client.getSecret('target')).value).toBe('value');
  });

  it('truncated body: the client sees the body end early', async () => {
    vault.inject({ truncate: true, times: 1 });
    const res = await get();
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });

  it('gzip-encoded responses to clients that accept gzip, decoded by fetch and by the SDK', async () => {
    vault.setGzip(true);
    const res = await get({ 'accept-encoding': 'gzip' });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(Number(res.headers.get('content-length'))).toBeGreaterThan(0);
    expect((await json(res)).value).toBe('value');
    const plain = await get({ 'accept-encoding': 'identity' });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect((await client.getSecret('target')).value).toBe('value');
    vault.setGzip(false);
    vault.inject({ gzip: true, times: 1 });
    expect((await get({ 'accept-encoding': 'gzip, deflate' })).headers.get('content-encoding')).toBe('gzip');
  });

  it('faults never touch the challenge handshake', async () => {
    vault.inject({ status: 500 });
    const res = await vaultFetch(vault, '/secrets/target?api-version=7.5');
    expect(res.status).toBe(401);
  });
});

describe('CAE claims challenge', () => {
  it('answers 401 insufficient_claims; the SDK gets a token with the claims and retries', async () => {
    vault.inject({ claimsChallenge: true, times: 1 });
    const res = await get();
    expect(res.status).toBe(401);
    const header = res.headers.get('www-authenticate')!;
    expect(header).toMatch(/^Bearer realm="", authorization_uri="https:\/\/login\.microsoftonline\.com\/common\/oauth2\/authorize", error="insufficient_claims", claims="[A-Za-z0-9+/=]+"$/);
    const claims = JSON.parse(Buffer.from(/claims="([^"]+)"/.exec(header)![1]!, 'base64').toString());
    expect(claims.access_token.xms_caeerror.value).toBe('10012');
    await client.getSecret('target'); // the SDK has a cached token now
    vault.inject({ claimsChallenge: true, times: 1 });
    const before = vault.requests.length;
    expect((await client.getSecret('target')).value).toBe('value');
    expect(vault.requests.slice(before).map((r) => r.status)).toEqual([401, 200]);
  });
});
