/**
 * Coexistence with what real apps already do, on real CommonJS app processes
 * under `--require @kvtrace/register`:
 * - the app sets its own global undici dispatcher (undici 7's
 *   setGlobalDispatcher, or an undici-6-style one in the v1 slot): fetch keeps
 *   working; kvtrace keeps reading error bodies through an undici 7 dispatcher
 *   and says once, through diag, when it can no longer;
 * - the Azure SDK's own tracing (@azure/opentelemetry-instrumentation-azure-sdk
 *   1.0.0) is on: the app works and kvtrace still enriches the HTTP spans; with
 *   AZURE_HTTP_TRACING_CHILDREN_DISABLED (1.0.0's name for it) the SDK's HTTP
 *   spans are gone (documented degradation), fetch is still explained;
 * - the app has its own SIGTERM handler: it keeps control (exit 0, not killed
 *   by the signal) and the spans were flushed.
 */
import { SecretClient } from '@azure/keyvault-secrets';
import { start as startVault, type FakeVault } from '@kvtrace/fake-vault';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AppProcess, type AppOptions, type ExitInfo } from '../support/app-process.js';
import { OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';

const APP = '../hardening/support/coexist-app.cjs' as AppOptions['entry'];
const VALUE = 'coexist-value-0123456789';
const POLICY = {
  error: {
    code: 'Forbidden',
    message: "The user, group or application 'appid=a;oid=o;iss=i' does not have secrets get permission on key vault 'v;location=eastus'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287",
    innererror: { code: 'AccessDenied' },
  },
};
type Result = Record<string, unknown>;

interface Run {
  results: Record<string, Result>;
  exit: ExitInfo;
  output: string;
  spans: ReceivedSpan[];
}

let vault: FakeVault;
beforeAll(async () => {
  vault = await startVault();
  await new SecretClient(vault.vaultUrl, await vault.credential(), vault.clientOptions()).setSecret('db-password', VALUE);
  vault.inject({ status: 403, body: POLICY, match: { path: '/secrets/denied' } });
}, 30_000);
afterAll(() => vault?.close());

async function run(env: Record<string, string>, paths: string[], end: (app: AppProcess) => Promise<ExitInfo> = (a) => a.shutdown()): Promise<Run> {
  const receiver = await OtlpReceiver.start();
  try {
    const app = await AppProcess.start({ entry: APP, preload: '--require', env: { ...vault.env(), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, ...env } });
    const results: Record<string, Result> = {};
    for (const path of paths) results[path] = await app.get(path);
    const exit = await end(app);
    return { results, exit, output: app.stdout + app.stderr, spans: receiver.spans() };
  } finally {
    await receiver.close();
  }
}

const vaultSpans = (r: Run, scope: string): ReceivedSpan[] =>
  r.spans.filter((s) => s.kind === 3 && s.scope.includes(scope) && s.attributes['keyvault.vault.name'] === vault.vaultName);
const count = (text: string, re: RegExp): number => text.match(new RegExp(re.source, 'g'))?.length ?? 0;
const OK = { ok: true, length: VALUE.length };
const DENIED = { ok: false, statusCode: 403, code: 'Forbidden' };

describe('the app sets its own global dispatcher', () => {
  test('undici 7 setGlobalDispatcher: fetch works and its 403 body is still explained (the dispatcher publishes chunks)', async () => {
    const r = await run({ COEXIST_DISPATCHER: 'undici7' }, ['/fetch/db-password', '/fetch/denied', '/fetch/denied']);
    expect(r.results).toEqual({ '/fetch/db-password': OK, '/fetch/denied': DENIED });
    expect(r.exit).toEqual({ code: 0, signal: null });
    const denied = vaultSpans(r, 'undici').filter((s) => s.attributes['http.response.status_code'] === 403);
    expect(denied.length).toBe(2);
    for (const s of denied) expect(s.attributes).toMatchObject({ 'keyvault.cause': 'access_policy', 'keyvault.error.inner_code': 'AccessDenied' });
    console.log(`[hardening] coexist undici7 dispatcher: ${denied.length} fetch 403 spans diagnosed, dispatcher warnings ${count(r.output, /global undici dispatcher/)}`);
  }, 60_000);

  test('undici-6-style dispatcher: fetch works, kvtrace says so exactly once, request-side attributes remain', async () => {
    const r = await run({ COEXIST_DISPATCHER: 'legacy', OTEL_LOG_LEVEL: 'warn' }, ['/fetch/db-password', '/fetch/denied', '/fetch/denied', '/fetch/db-password']);
    expect(r.results).toEqual({ '/fetch/db-password': OK, '/fetch/denied': DENIED });
    expect(r.exit).toEqual({ code: 0, signal: null });
    expect(count(r.output, /kvtrace: (global fetch already has an undici dispatcher|the global undici dispatcher was replaced)/)).toBe(1);
    const spans = vaultSpans(r, 'undici');
    expect(spans.length).toBe(4);
    for (const s of spans) expect(s.attributes).toMatchObject({ 'keyvault.operation': 'secrets.get', 'keyvault.token.present': true, 'keyvault.token.appid': vault.clientId });
    console.log(`[hardening] coexist legacy dispatcher: ${spans.length} fetch spans, causes ${spans.map((s) => s.attributes['keyvault.cause'] ?? '-').join(',')}`);
  }, 60_000);
});

describe("the Azure SDK's own tracing", () => {
  test('@azure/opentelemetry-instrumentation-azure-sdk on: the app works, the SDK spans appear, kvtrace still enriches the HTTP spans', async () => {
    const r = await run({ COEXIST_AZURE_SDK: '1' }, ['/sdk/db-password', '/sdk/denied', '/fetch/denied']);
    expect(r.results).toEqual({ '/sdk/db-password': OK, '/sdk/denied': { ok: false, name: 'RestError', statusCode: 403 }, '/fetch/denied': DENIED });
    expect(r.exit).toEqual({ code: 0, signal: null });
    expect(r.spans.some((s) => s.scope.startsWith('@azure/') || /SecretClient|KeyVault/.test(s.name))).toBe(true);
    const http = vaultSpans(r, 'instrumentation-http');
    expect(http.find((s) => s.attributes['http.response.status_code'] === 403)?.attributes['keyvault.cause']).toBe('access_policy');
    expect(http.some((s) => s.attributes['keyvault.outcome'] === 'ok')).toBe(true);
    console.log(`[hardening] coexist azure-sdk tracing: ${r.spans.length} spans, scopes ${[...new Set(r.spans.map((s) => s.scope))].join(' ')}`);
  }, 60_000);

  // @azure/opentelemetry-instrumentation-azure-sdk 1.0.0 reads AZURE_HTTP_TRACING_CHILDREN_DISABLED
  // (instrumenter.js startSpan); AZURE_HTTP_TRACING_DISABLED was its pre-GA name and no longer does anything.
  describe('with AZURE_HTTP_TRACING_CHILDREN_DISABLED (the variable 1.0.0 reads)', () => {
    let r: Run;
    beforeAll(async () => {
      r = await run({ COEXIST_AZURE_SDK: '1', AZURE_HTTP_TRACING_CHILDREN_DISABLED: 'true', OTEL_LOG_LEVEL: 'warn' }, ['/sdk/db-password', '/sdk/denied', '/fetch/denied']);
    }, 60_000);

    test('the authenticated SDK calls lose their HTTP spans (documented degradation); the app works; fetch is still explained', () => {
      expect(r.results).toEqual({ '/sdk/db-password': OK, '/sdk/denied': { ok: false, name: 'RestError', statusCode: 403 }, '/fetch/denied': DENIED });
      expect(r.exit).toEqual({ code: 0, signal: null });
      const http = vaultSpans(r, 'instrumentation-http');
      console.log(`[hardening] coexist AZURE_HTTP_TRACING_CHILDREN_DISABLED: SDK HTTP vault spans left: ${JSON.stringify(http.map((s) => s.attributes['http.response.status_code']))}`);
      expect(http.filter((s) => s.attributes['http.response.status_code'] !== 401)).toEqual([]);
      expect(vaultSpans(r, 'undici').find((s) => s.attributes['http.response.status_code'] === 403)?.attributes['keyvault.cause']).toBe('access_policy');
    });

    // Said through diag at setup: register installs the diag logger before it creates the
    // instrumentations (NodeSDK sets its own only later), and the check reads 1.0.0's variable.
    test('kvtrace says once that the SDK suppresses the spans it enriches, naming the variable', () => {
      expect(count(r.output, /kvtrace: AZURE_HTTP_TRACING/)).toBe(1);
      expect(r.output).toContain('kvtrace: AZURE_HTTP_TRACING_CHILDREN_DISABLED is set');
    });
  });

  test('AZURE_HTTP_TRACING_DISABLED (pre-GA name) changes nothing with 1.0.0: the SDK calls are still explained, and kvtrace says the variable is inert', async () => {
    const r = await run({ COEXIST_AZURE_SDK: '1', AZURE_HTTP_TRACING_DISABLED: 'true' }, ['/sdk/denied']);
    expect(r.results).toEqual({ '/sdk/denied': { ok: false, name: 'RestError', statusCode: 403 } });
    expect(vaultSpans(r, 'instrumentation-http').find((s) => s.attributes['http.response.status_code'] === 403)?.attributes['keyvault.cause']).toBe('access_policy');
    // No OTEL_LOG_LEVEL here: register's default diag level (warn) carries it.
    expect(count(r.output, /kvtrace: AZURE_HTTP_TRACING_DISABLED is set, but @azure\/opentelemetry-instrumentation-azure-sdk 1\.0 does not read it/)).toBe(1);
  }, 60_000);
});

test('an app with its own SIGTERM handler keeps control, exits 0 by itself, and its spans were flushed', async () => {
  const r = await run({ APP_SIGTERM: '1', OTEL_BSP_SCHEDULE_DELAY: '60000' }, ['/sdk/db-password', '/fetch/denied'], (app) => app.kill('SIGTERM'));
  expect(r.exit).toEqual({ code: 0, signal: null });
  expect(r.output).toMatch(/\{"graceful":"started"\}\n[\s\S]*\{"graceful":"done"\}/);
  // A 60 s batch delay: only the flush kvtrace ran at the signal can have delivered these.
  expect(vaultSpans(r, 'instrumentation-http').some((s) => s.attributes['keyvault.outcome'] === 'ok')).toBe(true);
  expect(vaultSpans(r, 'undici').some((s) => s.attributes['keyvault.cause'] === 'access_policy')).toBe(true);
}, 60_000);
