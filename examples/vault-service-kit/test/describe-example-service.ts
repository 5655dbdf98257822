/**
 * The test body both example services share: each against fake-vault,
 * in-process through its createApp(), and as it is started in production,
 * `node --import @kvtrace/register server.mjs`, configured by environment only.
 * Only how an app is started and stopped differs between Express and Fastify.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretClient } from '@azure/keyvault-secrets';
import type { TokenCredential } from '@azure/identity';
import { start as startVault } from '@kvtrace/fake-vault';
import type { FakeVault } from '@kvtrace/fake-vault';

/** What both apps' createApp() take. */
export interface ExampleAppDeps {
  secretClient: SecretClient;
  credential: TokenCredential;
  vaultUrl: string;
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  errorOptions: { backoffS: number };
}

/** A started app: its base URL and how to stop it. */
export interface StartedApp {
  url: string;
  close(): Promise<void>;
}

const SECRET_VALUE = 'example-Secret-Value-5d1c';
// *.vault.azure.net → 127.0.0.1 in the spawned server, see the file.
const DNS_PRELOAD = new URL('./vault-dns-preload.mjs', import.meta.url).href;

/**
 * @param name the app's directory under examples/, e.g. 'express-app'
 * @param start builds the app with createApp(deps) and listens on 127.0.0.1, port 0
 */
export function describeExampleService(name: string, start: (deps: ExampleAppDeps) => Promise<StartedApp>): void {
  const appDir = fileURLToPath(new URL(`../../${name}/`, import.meta.url));
  let vault: FakeVault;
  let app: StartedApp;

  beforeAll(async () => {
    vault = await startVault({ vaultName: `example-${name.replace(/-app$/, '')}` });
    const credential = await vault.credential();
    const secretClient = new SecretClient(vault.vaultUrl, credential, { ...vault.clientOptions(), retryOptions: { maxRetries: 0 } });
    await secretClient.setSecret('db-password', SECRET_VALUE, { contentType: 'text/plain', tags: { owner: 'payments' } });
    const dispatcher = vault.dispatcher();
    app = await start({
      secretClient,
      credential,
      vaultUrl: vault.vaultUrl,
      fetch: (url, init) => fetch(url, { ...init, dispatcher } as RequestInit),
      errorOptions: { backoffS: 5 },
    });
  });

  afterAll(async () => {
    await app?.close();
    await vault?.close();
  });

  describe(`examples/${name} in-process`, () => {
    it.each(['/config/db-password', '/fetch/config/db-password'])('GET %s answers metadata, never the value', async (path) => {
      const res = await fetch(`${app.url}${path}`);
      const text = await res.text();
      expect(res.status).toBe(200);
      expect(JSON.parse(text)).toMatchObject({ name: 'db-password', enabled: true, contentType: 'text/plain', tags: { owner: 'payments' } });
      expect(text).not.toContain(SECRET_VALUE);
    });

    it.each(['/config/nope', '/fetch/config/nope'])('GET %s of a missing secret answers 404 problem+json', async (path) => {
      const res = await fetch(`${app.url}${path}`);
      expect([res.status, res.headers.get('content-type'), ((await res.json()) as { cause: string }).cause]).toEqual([
        404,
        'application/problem+json',
        'not_found',
      ]);
    });

    it('answers a throttled vault with 503 and the configured backoff', async () => {
      vault.setThrottle({ retryAfterS: null, count: 1 });
      const res = await fetch(`${app.url}/config/db-password`);
      expect([res.status, res.headers.get('retry-after')]).toEqual([503, '5']);
    });
  });

  describe(`examples/${name} as a process`, () => {
    let child: ChildProcess | undefined;
    afterAll(() => {
      child?.kill('SIGTERM');
    });

    it('starts with node --import @kvtrace/register server.mjs and serves from env config', async () => {
      child = spawn(process.execPath, ['--import', DNS_PRELOAD, '--import', '@kvtrace/register', 'server.mjs'], {
        cwd: appDir,
        env: {
          ...process.env,
          ...vault.env(),
          VAULT_URL: vault.vaultUrl,
          HOST: '127.0.0.1',
          PORT: '0',
          OTEL_SERVICE_NAME: `${name}-test`,
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
}
