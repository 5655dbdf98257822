/**
 * Faults around kvtrace, on real app processes under `--import
 * @kvtrace/register`:
 * - the OTLP endpoint is down, never answers, answers 500 or 503: the app's
 *   vault calls (SDK and fetch) still succeed, nothing is rejected unhandled
 *   (Node 20 would exit with code 1), and the process exits by itself, 0;
 * - fake-vault resets the connection, truncates the body, stalls past the
 *   client's timeout: the spans record the error, the app gets the same
 *   errors it would get without kvtrace, and keeps serving.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SecretClient } from '@azure/keyvault-secrets';
import { start as startVault, type FakeVault } from '@kvtrace/fake-vault';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AppProcess, type AppOptions, type ExitInfo } from '../support/app-process.js';
import { freePort } from '../support/free-port.js';
import { OtlpReceiver } from '../support/otlp-receiver.js';

const FAULT_APP = '../hardening/support/fault-app.mjs' as AppOptions['entry'];
const VALUE = 'v'.repeat(40);
type Result = { ok: boolean; length?: number; name?: string; code?: string; statusCode?: number };

let vault: FakeVault;
beforeAll(async () => {
  vault = await startVault();
  const client = new SecretClient(vault.vaultUrl, await vault.credential(), vault.clientOptions());
  for (const name of ['db-password', 'reset-sdk', 'reset-fetch', 'trunc-sdk', 'trunc-fetch', 'stall-sdk', 'stall-fetch']) await client.setSecret(name, VALUE);
}, 30_000);
afterAll(() => vault?.close());

async function get(app: AppProcess, path: string): Promise<Result> {
  return (await app.get(path)) as Result;
}

/** An OTLP endpoint misbehaving one way. */
async function badEndpoint(mode: string): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  if (mode === 'down') return { url: `http://127.0.0.1:${await freePort()}`, hits: () => 0, close: async () => {} };
  let hits = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    hits += 1;
    req.resume();
    if (mode === 'slow') return; // never answers
    res.writeHead(mode === '503' ? 503 : 500, mode === '503' ? { 'retry-after': '1' } : {}).end('{"error":"collector unhappy"}');
  });
  server.on('connection', (s: Socket) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

describe('OTLP endpoint faults never reach the app', () => {
  // Concurrent: each mode is its own process, and the slow ones spend their time waiting on exporter retries.
  test.concurrent.each(['down', 'slow', '500', '503'])('endpoint %s: vault calls succeed, no unhandled rejection, exit 0', async (mode) => {
    const endpoint = await badEndpoint(mode);
    try {
      const app = await AppProcess.start({
        entry: FAULT_APP,
        preload: '--import',
        env: { ...vault.env(), OTEL_EXPORTER_OTLP_ENDPOINT: endpoint.url, OTEL_BSP_SCHEDULE_DELAY: '100' },
      });
      const results: Result[] = [];
      for (let i = 0; i < 3; i++) {
        results.push(await get(app, '/sdk/db-password'), await get(app, '/fetch/db-password'));
        await new Promise((r) => setTimeout(r, 300)); // let span and metric exports hit the endpoint meanwhile
      }
      const started = Date.now();
      const exit: ExitInfo = await app.shutdown();
      const exitMs = Date.now() - started;
      console.log(`[hardening] OTLP ${mode}: ${results.filter((r) => r.ok).length}/${results.length} vault calls ok, endpoint hit ${endpoint.hits()} times, exit ${JSON.stringify(exit)} ${exitMs} ms after shutdown`);
      expect(results).toEqual(Array(6).fill({ ok: true, length: VALUE.length }));
      expect(exit).toEqual({ code: 0, signal: null });
      expect(app.stderr).not.toMatch(/Unhandled|unhandledRejection|ERR_UNHANDLED/);
      if (mode !== 'down') expect(endpoint.hits()).toBeGreaterThan(0);
      // otlp-exporter-base's retry timers (ref'd) hold the loop: first an in-flight export's, then the
      // exit flush's, each cut at the export timeout register passes (5 s default; 10 s, the exporter's
      // own default, gave 15-19 s here). Two timeouts plus start-up slack:
      expect(exitMs).toBeLessThan(2 * 5000 + 3000);
    } finally {
      await endpoint.close();
    }
  }, 60_000);
});

describe('vault faults: spans record the error, the app keeps working', () => {
  let receiver: OtlpReceiver;
  let app: AppProcess;
  const seen: Record<string, Result> = {};
  let exit: ExitInfo;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    app = await AppProcess.start({ entry: FAULT_APP, preload: '--import', env: { ...vault.env(), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } });
    const step = async (name: string, fault: Parameters<FakeVault['inject']>[0], path: string): Promise<void> => {
      vault.inject({ ...fault, match: { path: `/secrets/${name}` } });
      try {
        seen[name] = await get(app, path);
      } finally {
        vault.clearFaults();
      }
    };
    await step('reset-sdk', { reset: true, times: 1 }, '/sdk/reset-sdk');
    await step('reset-fetch', { reset: true, times: 1 }, '/fetch/reset-fetch');
    await step('trunc-sdk', { truncate: true, times: 1 }, '/sdk/trunc-sdk');
    await step('trunc-fetch', { truncate: true, times: 1 }, '/fetch/trunc-fetch');
    await step('stall-sdk', { latencyMs: 2500 }, '/sdk/stall-sdk?timeout=400');
    await step('stall-fetch', { latencyMs: 2500 }, '/fetch/stall-fetch?timeout=400');
    seen.afterSdk = await get(app, '/sdk/db-password');
    seen.afterFetch = await get(app, '/fetch/db-password');
    exit = await app.shutdown();
    console.log(`[hardening] vault faults, what the app got: ${JSON.stringify(seen)}`);
  }, 60_000);
  afterAll(async () => {
    if (app !== undefined && app.child.exitCode === null) app.child.kill('SIGKILL');
    await receiver?.close();
  });

  const spansOf = (name: string) => receiver.spans().filter((s) => s.kind === 3 && s.attributes['keyvault.object.name'] === name);

  test('the app got what the fault gives (the SDK retried a reset; fetch failed; timeouts fired) and still works', () => {
    expect(seen['reset-sdk']).toEqual({ ok: true, length: VALUE.length });
    expect(seen['reset-fetch']).toMatchObject({ ok: false, name: 'TypeError' });
    expect(seen['trunc-fetch']).toMatchObject({ ok: false });
    expect(seen['stall-sdk']).toMatchObject({ ok: false, name: 'AbortError' });
    expect(seen['stall-fetch']).toMatchObject({ ok: false, name: 'TimeoutError' });
    expect(seen.afterSdk).toEqual({ ok: true, length: VALUE.length });
    expect(seen.afterFetch).toEqual({ ok: true, length: VALUE.length });
    expect(exit).toEqual({ code: 0, signal: null });
    expect(app.stderr).not.toMatch(/Unhandled|kvtrace: .*(could not|failed)/);
  });

  test.each(['reset-sdk', 'reset-fetch', 'trunc-fetch', 'stall-sdk', 'stall-fetch'])('%s: a vault span records the failure with status ERROR', (name) => {
    const spans = spansOf(name);
    expect(spans.length).toBeGreaterThan(0);
    const failed = spans.filter((s) => s.status.code === 2);
    expect(failed.length, JSON.stringify(spans.map((s) => [s.status, s.attributes['http.response.status_code']]))).toBeGreaterThan(0);
    // kvtrace still named the call: the enrichment survived the failure.
    for (const s of failed) expect(s.attributes).toMatchObject({ 'keyvault.operation': 'secrets.get', 'keyvault.vault.name': vault.vaultName });
    if (name === 'reset-sdk') expect(spans.some((s) => s.attributes['http.response.status_code'] === 200)).toBe(true);
  });

  test('trunc-sdk: the truncated answer ends its span (with or without an error status), the route answered', () => {
    expect(spansOf('trunc-sdk').length).toBeGreaterThan(0);
    expect(seen['trunc-sdk']).toHaveProperty('ok');
  });
});
