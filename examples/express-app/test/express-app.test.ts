/**
 * The example service against fake-vault: in-process through createApp(),
 * and as it is started in production, `node --import @kvtrace/register
 * server.mjs`, configured by environment only.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretClient } from '@azure/keyvault-secrets';
import { start } from '@kvtrace/fake-vault';
import type { FakeVault } from '@kvtrace/fake-vault';
import { createApp } from '../app.mjs';

const SECRET_VALUE = 'example-Secret-Value-5d1c';
const here = fileURLToPath(new URL('..', import.meta.url));
let vault: FakeVault;
let server: Server;
let base: string;

beforeAll(async () => {
  vault = await start({ vaultName: 'example-express' });
  const credential = await vault.credential();
  const secretClient = new SecretClient(vault.vaultUrl, credential, { ...vault.clientOptions(), retryOptions: { maxRetries: 0 } });
  await secretClient.setSecret('db-password', SECRET_VALUE, { contentType: 'text/plain', tags: { owner: 'payments' } });
  const dispatcher = vault.dispatcher();
  const app = createApp({
    secretClient,
    credential,
    vaultUrl: vault.vaultUrl,
    fetch: (url: string, init: RequestInit) => fetch(url, { ...init, dispatcher } as RequestInit),
    errorOptions: { backoffS: 5 },
  });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await vault.close();
});

describe('examples/express-app in-process', () => {
  it.each(['/config/db-password', '/fetch/config/db-password'])('GET %s answers metadata, never the value', async (path) => {
    const res = await fetch(`${base}${path}`);
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ name: 'db-password', enabled: true, contentType: 'text/plain', tags: { owner: 'payments' } });
    expect(text).not.toContain(SECRET_VALUE);
  });

  it.each(['/config/nope', '/fetch/config/nope'])('GET %s of a missing secret answers 404 problem+json', async (path) => {
    const res = await fetch(`${base}${path}`);
    expect([res.status, res.headers.get('content-type'), ((await res.json()) as { cause: string }).cause]).toEqual([
      404,
      'application/problem+json',
      'not_found',
    ]);
  });

  it('answers a throttled vault with 503 and the configured backoff', async () => {
    vault.setThrottle({ retryAfterS: null, count: 1 });
    const res = await fetch(`${base}/config/db-password`);
    expect([res.status, res.headers.get('retry-after')]).toEqual([503, '5']);
  });
});

describe('examples/express-app as a process', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGTERM');
  });

  it('starts with node --import @kvtrace/register server.mjs and serves from env config', async () => {
    child = spawn(process.execPath, ['--import', './test/vault-dns-preload.mjs', '--import', '@kvtrace/register', 'server.mjs'], {
      cwd: here,
      env: {
        ...process.env,
        ...vault.env(),
        VAULT_URL: vault.vaultUrl,
        HOST: '127.0.0.1',
        PORT: '0',
        OTEL_SERVICE_NAME: 'express-app-test',
        // register's readable trace tree on stdout: the test reads the server span there.
        OTEL_TRACES_EXPORTER: 'console',
        OTEL_METRICS_EXPORTER: 'none',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child?.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      child?.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    const ok = await fetch(`${url}/config/db-password`);
    const text = await ok.text();
    expect(ok.status, stderr).toBe(200);
    expect(text).toContain('"name":"db-password"');
    expect(text).not.toContain(SECRET_VALUE);
    const missing = await fetch(`${url}/fetch/config/nope`);
    expect([missing.status, missing.headers.get('content-type')]).toEqual([404, 'application/problem+json']);
    // instrumentation-http's server span, started by register, is what the middleware reads the trace id from.
    const { traceId } = (await missing.json()) as { traceId?: string };
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    // The exported server span of that trace carries the cause the answer gave.
    await expect.poll(() => out, { timeout: 10_000 }).toContain(`trace ${traceId}`);
    expect(out.slice(out.indexOf(`trace ${traceId}`))).toMatch(/SERVER GET \/fetch\/config\/nope → 404 .*not_found/);
  });
});
