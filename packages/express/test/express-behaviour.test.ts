/**
 * What the middleware leaves alone: non-vault errors, answers already under
 * way; that it serves Express 4 with the same code; and set-up errors.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import express4 from 'express4';
import type { NextFunction, Request, Response } from 'express';
import type { SecretClient } from '@azure/keyvault-secrets';
import type { FakeVault } from '@kvtrace/fake-vault';
import { kvtraceErrorHandler } from '../src/index.js';
import { get, sdkClient, startVault } from './vault-fixture.js';

let vault: FakeVault;
let client: SecretClient;
const servers: Server[] = [];

async function listen(app: { listen: (port: number, host: string, cb: () => void) => Server }): Promise<string> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  vault = await startVault();
  client = sdkClient(vault, await vault.credential());
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await vault.close();
});

describe('Express: what is not a vault failure', () => {
  it('hands a non-vault error on untouched: the next error handler gets the same object', async () => {
    const seen: unknown[] = [];
    const thrown = new Error('database is down');
    const app = express();
    app.get('/boom', () => {
      throw thrown;
    });
    app.use(kvtraceErrorHandler());
    app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
      seen.push(err);
      res.status(500).json({ mine: true });
    });
    const a = await get(await listen(app), '/boom');
    expect([a.status, a.json, seen]).toEqual([500, { mine: true }, [thrown]]);
  });

  it("leaves Express's default handler in charge of non-vault errors (500, not problem+json)", async () => {
    const app = express();
    app.get('/boom', () => {
      throw new TypeError('x is not a function');
    });
    app.use(kvtraceErrorHandler());
    const a = await get(await listen(app), '/boom');
    expect(a.status).toBe(500);
    expect(a.headers.get('content-type')).not.toContain('problem+json');
  });

  it('hands a vault failure on when the headers were already sent', async () => {
    const seen: unknown[] = [];
    const app = express();
    app.get('/stream', async (_req, res) => {
      res.status(200).type('text/plain');
      res.write('partial ');
      await client.getSecret('no-such-secret');
      res.end('never');
    });
    app.use(kvtraceErrorHandler());
    app.use((err: unknown, _req: Request, _res: Response, next: NextFunction) => {
      seen.push(err);
      next(err);
    });
    const res = await fetch(`${await listen(app)}/stream`);
    expect(res.status).toBe(200);
    // Express's default handler destroys the socket: the body never completes.
    const body = await res.text().catch((e: unknown) => `aborted: ${String(e)}`);
    expect(body).not.toContain('never');
    expect(body).not.toContain('problem');
    expect(seen).toHaveLength(1);
    expect((seen[0] as { statusCode?: number }).statusCode).toBe(404);
  });
});

describe('Express 4 with the same middleware', () => {
  it('answers a vault failure passed to next(err)', async () => {
    const app = express4();
    app.get('/config/:name', (req, res, next) => {
      client.getSecret(req.params.name).then((s) => res.json({ name: s.name }), next);
    });
    app.use(kvtraceErrorHandler({ notFoundStatus: 404 }) as never);
    const a = await get(await listen(app), '/config/absent');
    expect([a.status, a.json['cause'], a.headers.get('content-type')]).toEqual([404, 'not_found', 'application/problem+json']);
  });
});

describe('kvtraceErrorHandler set-up', () => {
  it('returns a named 4-argument function (how Express tells error middleware apart)', () => {
    const handler = kvtraceErrorHandler();
    expect(handler.length).toBe(4);
    expect(handler.name).toBe('kvtraceErrorHandler');
  });

  it.each([
    [{ backoffS: -5 }, 'backoffS'],
    [{ expose: 'true' }, 'expose'],
    [{ statusByCause: { throttled: 200 } }, 'statusByCause.throttled'],
    [{ propagationRetry: 'yes' }, 'propagationRetry'],
  ])('%j throws a TypeError naming %s', (options, name) => {
    expect(() => kvtraceErrorHandler(options as never)).toThrow(TypeError);
    expect(() => kvtraceErrorHandler(options as never)).toThrow(new RegExp(`@kvtrace/express: option "${name.replace('.', '\\.')}"`));
  });
});
