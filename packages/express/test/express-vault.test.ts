/**
 * A real Express 5 server on 127.0.0.1 whose handlers call fake-vault through
 * the real SecretClient and through fetch + KeyVaultError; every row of
 * DESIGN.md's middleware table is asserted on the HTTP answer.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import type { Express, NextFunction, Request, Response } from 'express';
import { SpanKind, context, trace } from '@opentelemetry/api';
import type { SecretClient } from '@azure/keyvault-secrets';
import type { FakeVault } from '@kvtrace/fake-vault';
import { kvtraceErrorHandler } from '../src/index.js';
import type { KvtraceExpressOptions } from '../src/index.js';
import { expectProblem, fixedToken, get, leaks, sdkClient, secretsOf, setUpTracing, startVault } from './vault-fixture.js';
import { fetchVault } from './vault-rows.js';
import type { Answer } from './vault-fixture.js';

const spans = setUpTracing();
const tracer = trace.getTracer('express-test');
let vault: FakeVault;
let good: SecretClient;
const servers: Server[] = [];
const passedOn: unknown[] = [];
const SECRET = 'another-secret-value';

/** What the server span stands for: instrumentation-http makes one per request. */
function serverSpan(req: Request, res: Response, next: NextFunction): void {
  const span = tracer.startSpan(`GET ${req.path}`, { kind: SpanKind.SERVER });
  res.on('close', () => span.end());
  context.with(trace.setSpan(context.active(), span), next);
}

/** An app whose routes run `call` (given the request) and answer its metadata, never a value. */
async function serve(call: (req: Request) => Promise<unknown>, options?: KvtraceExpressOptions): Promise<string> {
  const app: Express = express();
  app.use(serverSpan);
  app.get('/call/:name', async (req, res) => {
    await call(req);
    res.json({ ok: true });
  });
  app.use(kvtraceErrorHandler(options));
  // Proves what the middleware handed on; Express's default handler answers it.
  app.use((err: unknown, _req: Request, _res: Response, next: NextFunction) => {
    passedOn.push(err);
    next(err);
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function sdkAnswer(client: SecretClient, name = 'db-password', options?: KvtraceExpressOptions): Promise<Answer> {
  const base = await serve((req) => client.getSecret(String(req.params['name'])), options);
  return get(base, `/call/${name}`);
}

/** fetch + KeyVaultError, the way a fetch user reports a failed vault call. */
async function fetchAnswer(token: string | null, name = 'db-password', apiVersion = '2025-07-01', options?: KvtraceExpressOptions): Promise<Answer> {
  return get(await serve((req) => fetchVault(vault, `/secrets/${String(req.params['name'])}`, { token, apiVersion }), options), `/call/${name}`);
}

beforeAll(async () => {
  vault = await startVault();
  good = sdkClient(vault, await vault.credential());
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await vault.close();
});

describe('Express: rows of the middleware table through the real SecretClient', () => {
  it('answers a good call normally (the middleware is not in the way)', async () => {
    const a = await sdkAnswer(good);
    expect([a.status, a.json]).toEqual([200, { ok: true }]);
  });

  it('429 with Retry-After seconds -> 503 with the same Retry-After, cause on the server span', async () => {
    spans.reset();
    vault.setThrottle({ retryAfterS: 7, count: 1 });
    const a = await sdkAnswer(good);
    expectProblem(a, 503, 'throttled', '7');
    expect(leaks(a, [...secretsOf(vault), 'Request was not processed'])).toEqual([]);
    const span = spans.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER);
    expect(span?.attributes).toMatchObject({ 'keyvault.cause': 'throttled', 'keyvault.outcome': 'throttled' });
    expect(a.json['traceId']).toBe(span?.spanContext().traceId);
  });

  it('429 without Retry-After -> 503 with the configured backoff', async () => {
    vault.setThrottle({ retryAfterS: null, count: 1 });
    expectProblem(await sdkAnswer(good, 'db-password', { backoffS: 3 }), 503, 'throttled', '3');
  });

  it.each([
    ['token_expired', { expiresInS: -600 }],
    ['token_not_yet_valid', { notBeforeInS: 900 }],
    ['wrong_audience', { aud: 'https://management.azure.com/' }],
    ['wrong_audience', { aud: 'https://vault.azure.net/' }],
  ])('401 %s -> 502, no Retry-After, no token or claims', async (cause, claims) => {
    const token = await vault.mintToken(claims);
    const a = await sdkAnswer(sdkClient(vault, fixedToken(token)));
    expectProblem(a, 502, cause);
    expect(leaks(a, secretsOf(vault, token, 'AKV100', 'S2S'))).toEqual([]);
  });

  it('401 wrong_tenant (a token of another tenant) -> 502', async () => {
    const other = vault.registerClient({ tenantId: crypto.randomUUID() });
    const token = await vault.mintToken({}, other);
    const a = await sdkAnswer(sdkClient(vault, fixedToken(token)));
    expectProblem(a, 502, 'wrong_tenant');
    expect(leaks(a, [...secretsOf(vault, token), other.tenantId, other.clientId])).toEqual([]);
  });

  it('401 opaque token -> 502 unauthenticated', async () => {
    expectProblem(await sdkAnswer(sdkClient(vault, fixedToken('not-a-jwt-opaque-token'))), 502, 'unauthenticated');
  });

  it('403 secret_disabled -> 502', async () => {
    await good.setSecret('disabled-one', SECRET, { enabled: false });
    expectProblem(await sdkAnswer(good, 'disabled-one'), 502, 'secret_disabled');
  });

  it('404 -> 404 by default, notFoundStatus when configured', async () => {
    expectProblem(await sdkAnswer(good, 'no-such-secret'), 404, 'not_found');
    expectProblem(await sdkAnswer(good, 'no-such-secret', { notFoundStatus: 410 }), 410, 'not_found');
  });

  it('400 (an invalid object name) -> 502 bad_request', async () => {
    expectProblem(await sdkAnswer(good, 'bad_name'), 502, 'bad_request');
  });
});

describe('Express: fetch + KeyVaultError', () => {
  it('429 -> 503 + Retry-After', async () => {
    vault.setThrottle({ retryAfterS: 2, count: 1 });
    expectProblem(await fetchAnswer(await vault.mintToken()), 503, 'throttled', '2');
  });

  it('401 missing_token (fetch forgot the header) -> 502', async () => {
    expectProblem(await fetchAnswer(null), 502, 'missing_token');
  });

  it('401 token_expired -> 502, without the token even with expose', async () => {
    const token = await vault.mintToken({ expiresInS: -3600 });
    const a = await fetchAnswer(token, 'db-password', '2025-07-01', { expose: true });
    expectProblem(a, 502, 'token_expired');
    expect(a.json['hint']).toBeTruthy();
    expect(leaks(a, secretsOf(vault, token))).toEqual([]);
  });

  it('403 access_policy -> 502; expose adds the hint and the vault, never the caller ids', async () => {
    vault.revoke(vault.objectId, { secrets: ['get'] });
    try {
      const token = await vault.mintToken();
      const off = await fetchAnswer(token);
      expectProblem(off, 502, 'access_policy');
      expect(Object.keys(off.json).sort()).toEqual(['cause', 'detail', 'retryable', 'status', 'title', 'traceId', 'type']);
      const on = await fetchAnswer(token, 'db-password', '2025-07-01', { expose: true });
      expect(on.json['vault']).toMatchObject({ name: 'kvtrace-mw', operation: 'secrets.get', innerCode: 'AccessDenied' });
      expect(String(on.json['hint'])).toContain('secrets get');
      expect(leaks(on, secretsOf(vault, token))).toEqual([]);
    } finally {
      vault.grant(vault.objectId, { secrets: ['get'] });
    }
  });

  it('404 -> 404 and 400 (unsupported api-version) -> 502', async () => {
    const token = await vault.mintToken();
    expectProblem(await fetchAnswer(token, 'nope'), 404, 'not_found');
    expectProblem(await fetchAnswer(token, 'db-password', '7.9'), 502, 'bad_request');
  });
});
