/**
 * Which error handler answers what: the plugin hands non-vault errors to the
 * handler that was in place; an app whose own root handler replaces the
 * plugin's calls the exported function; answers already under way are left
 * alone; bad options fail at register time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { SecretClient } from '@azure/keyvault-secrets';
import type { FakeVault } from '@kvtrace/fake-vault';
import { kvtrace, kvtraceFastifyErrorHandler } from '../src/index.js';
import { get, sdkClient, startVault } from '../../express/test/vault-fixture.js';

let vault: FakeVault;
let client: SecretClient;
const apps: FastifyInstance[] = [];

function app(): FastifyInstance {
  const a = Fastify();
  apps.push(a);
  return a;
}

function routes(a: FastifyInstance): void {
  a.get('/vault', async () => client.getSecret('absent'));
  a.get('/boom', async () => {
    throw new Error('database is down');
  });
}

beforeAll(async () => {
  vault = await startVault();
  client = sdkClient(vault, await vault.credential());
});

afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await vault.close();
});

describe('Fastify plugin', () => {
  it("answers vault failures and leaves others to Fastify's default handler", async () => {
    const a = app();
    await a.register(kvtrace);
    routes(a);
    const base = await a.listen({ port: 0, host: '127.0.0.1' });
    const v = await get(base, '/vault');
    expect([v.status, v.json['cause'], v.headers.get('content-type')]).toEqual([404, 'not_found', 'application/problem+json']);
    const b = await get(base, '/boom');
    expect([b.status, b.json]).toEqual([500, { statusCode: 500, error: 'Internal Server Error', message: 'database is down' }]);
  });

  it('hands non-vault errors to the handler that was in place when it was registered', async () => {
    const a = app();
    const seen: unknown[] = [];
    a.setErrorHandler((error, _request, reply) => {
      seen.push(error);
      return reply.code(500).send({ mine: true });
    });
    await a.register(kvtrace, { notFoundStatus: 410 });
    routes(a);
    const base = await a.listen({ port: 0, host: '127.0.0.1' });
    expect((await get(base, '/vault')).status).toBe(410);
    expect(seen).toEqual([]);
    const b = await get(base, '/boom');
    expect([b.status, b.json, (seen[0] as Error).message]).toEqual([500, { mine: true }, 'database is down']);
  });

  it('leaves an answer already under way alone', async () => {
    const a = app();
    await a.register(kvtrace);
    a.get('/stream', async (_request, reply) => {
      reply.raw.writeHead(200, { 'content-type': 'text/plain' });
      reply.raw.write('partial ');
      await client.getSecret('absent');
      return 'never';
    });
    const res = await fetch(`${await a.listen({ port: 0, host: '127.0.0.1' })}/stream`);
    expect(res.status).toBe(200);
    const body = await res.text().catch((e: unknown) => `aborted: ${String(e)}`);
    expect(body).not.toContain('problem');
    expect(body).not.toContain('not_found');
  });

  it('is a fastify-plugin named @kvtrace/fastify for Fastify 5', () => {
    const meta = (kvtrace as unknown as Record<symbol, { name?: string; fastify?: string }>)[Symbol.for('plugin-meta')];
    expect(meta).toMatchObject({ name: '@kvtrace/fastify', fastify: '5.x' });
  });

  it('rejects bad options at register time with a TypeError naming the option', async () => {
    const a = app();
    await expect(a.register(kvtrace, { backoffS: -1 })).rejects.toThrow(/@kvtrace\/fastify: option "backoffS"/);
  });
});

describe('an app with its own root error handler', () => {
  it("replaces the plugin's handler, and answers vault failures by calling the exported function", async () => {
    const handleVaultError = kvtraceFastifyErrorHandler({ backoffS: 2 });
    const a = app();
    a.setErrorHandler((error, request, reply) => {
      if (handleVaultError(error, request, reply)) return reply;
      return reply.code(500).send({ mine: true });
    });
    routes(a);
    a.get('/throttled', async () => {
      vault.setThrottle({ retryAfterS: null, count: 1 });
      return client.getSecret('db-password');
    });
    const base = await a.listen({ port: 0, host: '127.0.0.1' });
    const v = await get(base, '/vault');
    expect([v.status, v.json['cause']]).toEqual([404, 'not_found']);
    const t = await get(base, '/throttled');
    expect([t.status, t.headers.get('retry-after'), t.json['cause']]).toEqual([503, '2', 'throttled']);
    const b = await get(base, '/boom');
    expect([b.status, b.json]).toEqual([500, { mine: true }]);
  });

  it('works inside an encapsulated child with its own handler too', async () => {
    const handleVaultError = kvtraceFastifyErrorHandler();
    const a = app();
    await a.register(async (child) => {
      child.setErrorHandler((error, request, reply) => {
        if (handleVaultError(error, request, reply)) return reply;
        return reply.code(418).send({ child: true });
      });
      routes(child);
    }, { prefix: '/child' });
    const base = await a.listen({ port: 0, host: '127.0.0.1' });
    expect((await get(base, '/child/vault')).json['cause']).toBe('not_found');
    expect((await get(base, '/child/boom')).status).toBe(418);
  });

  it('validates the function options up front', () => {
    expect(() => kvtraceFastifyErrorHandler({ notFoundStatus: 99 })).toThrow(TypeError);
  });
});
