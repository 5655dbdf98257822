/**
 * A real Fastify 5 server on 127.0.0.1 whose routes call fake-vault through
 * the real SecretClient and through fetch + KeyVaultError; every row of
 * DESIGN.md's middleware table is asserted on the HTTP answer.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SpanKind, context, trace } from '@opentelemetry/api';
import type { SecretClient } from '@azure/keyvault-secrets';
import type { FakeVault } from '@kvtrace/fake-vault';
import { kvtrace } from '../src/index.js';
import type { KvtraceFastifyOptions } from '../src/index.js';
// One set of real parts for both adapters' tests.
import { expectProblem, fixedToken, get, leaks, sdkClient, secretsOf, setUpTracing, startVault } from '../../express/test/vault-fixture.js';
import { fetchVault } from '../../express/test/vault-rows.js';
import type { Answer } from '../../express/test/vault-fixture.js';

const spans = setUpTracing();
const tracer = trace.getTracer('fastify-test');
let vault: FakeVault;
let good: SecretClient;
const apps: FastifyInstance[] = [];

/** A server span around each request, made where instrumentation-http makes it: on the 'request' event. */
function serverWithSpan(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  return createServer((req, res) => {
    const span = tracer.startSpan(`${req.method} ${req.url}`, { kind: SpanKind.SERVER });
    res.on('close', () => span.end());
    context.with(trace.setSpan(context.active(), span), () => handler(req, res));
  });
}

async function serve(call: (req: FastifyRequest<{ Params: { name: string } }>) => Promise<unknown>, options?: KvtraceFastifyOptions): Promise<string> {
  const app = Fastify({ serverFactory: serverWithSpan });
  await app.register(kvtrace, options ?? {});
  app.get<{ Params: { name: string } }>('/call/:name', async (req) => {
    await call(req);
    return { ok: true };
  });
  apps.push(app);
  return app.listen({ port: 0, host: '127.0.0.1' });
}

const sdkAnswer = async (client: SecretClient, name = 'db-password', options?: KvtraceFastifyOptions): Promise<Answer> =>
  get(await serve((req) => client.getSecret(req.params.name), options), `/call/${name}`);

/** fetch + KeyVaultError, the way a fetch user reports a failed vault call. */
async function fetchAnswer(token: string | null, name = 'db-password', apiVersion = '2025-07-01', options?: KvtraceFastifyOptions): Promise<Answer> {
  return get(await serve((req) => fetchVault(vault, `/secrets/${req.params.name}`, { token, apiVersion }), options), `/call/${name}`);
}

beforeAll(async () => {
  vault = await startVault();
  good = sdkClient(vault, await vault.credential());
});

afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await vault.close();
});

describe('Fastify: rows of the middleware table through the real SecretClient', () => {
  it('429 with Retry-After -> 503 with the same Retry-After, cause and trace id from the server span', async () => {
    spans.reset();
    vault.setThrottle({ retryAfterS: 6, count: 1 });
    const a = await sdkAnswer(good);
    expectProblem(a, 503, 'throttled', '6');
    const span = spans.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER);
    expect(span?.attributes).toMatchObject({ 'keyvault.cause': 'throttled', 'keyvault.outcome': 'throttled' });
    expect(a.json['traceId']).toBe(span?.spanContext().traceId);
    expect(leaks(a, [...secretsOf(vault), 'Request was not processed'])).toEqual([]);
  });

  it('429 without Retry-After -> 503 with the configured backoff', async () => {
    vault.setThrottle({ retryAfterS: null, count: 1 });
    expectProblem(await sdkAnswer(good, 'db-password', { backoffS: 8 }), 503, 'throttled', '8');
  });

  it.each([
    ['token_expired', { expiresInS: -600 }],
    ['token_not_yet_valid', { notBeforeInS: 900 }],
    ['wrong_audience', { aud: 'https://management.azure.com/' }],
  ])('401 %s -> 502 without the token', async (cause, claims) => {
    const token = await vault.mintToken(claims);
    const a = await sdkAnswer(sdkClient(vault, fixedToken(token)), 'db-password', { expose: true });
    expectProblem(a, 502, cause);
    expect(leaks(a, secretsOf(vault, token))).toEqual([]);
  });

  it('401 wrong_tenant -> 502', async () => {
    const other = vault.registerClient({ tenantId: crypto.randomUUID() });
    expectProblem(await sdkAnswer(sdkClient(vault, fixedToken(await vault.mintToken({}, other)))), 502, 'wrong_tenant');
  });

  it('404 -> 404 (or notFoundStatus), 400 -> 502', async () => {
    expectProblem(await sdkAnswer(good, 'absent'), 404, 'not_found');
    expectProblem(await sdkAnswer(good, 'absent', { statusByCause: { not_found: 410 } }), 410, 'not_found');
    expectProblem(await sdkAnswer(good, 'bad_name'), 502, 'bad_request');
  });
});

describe('Fastify: fetch + KeyVaultError', () => {
  it('429 -> 503, missing token -> 502, 404 -> 404', async () => {
    vault.setThrottle({ retryAfterS: 3, count: 1 });
    const token = await vault.mintToken();
    expectProblem(await fetchAnswer(token), 503, 'throttled', '3');
    expectProblem(await fetchAnswer(null), 502, 'missing_token');
    expectProblem(await fetchAnswer(token, 'absent'), 404, 'not_found');
  });

  it('expose adds hint and vault, never the token or caller ids', async () => {
    vault.revoke(vault.objectId, { secrets: ['get'] });
    try {
      const token = await vault.mintToken();
      const a = await fetchAnswer(token, 'db-password', '2025-07-01', { expose: true });
      expectProblem(a, 502, 'access_policy');
      expect(a.json['vault']).toMatchObject({ name: 'kvtrace-mw', innerCode: 'AccessDenied' });
      expect(leaks(a, secretsOf(vault, token))).toEqual([]);
      const b = await fetchAnswer(token);
      expect(b.json['hint']).toBeUndefined();
      expect(b.json['vault']).toBeUndefined();
    } finally {
      vault.grant(vault.objectId, { secrets: ['get'] });
    }
  });
});
