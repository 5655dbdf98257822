/**
 * The second wiring: an app that configures HttpInstrumentation and
 * UndiciInstrumentation itself, with its own hooks, adds kvtrace's hooks
 * through composeHooks. Also the once-only diag warnings.
 */
import http from 'node:http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import type { Span } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeHooks, httpHooks, installFetchBodyTap, undiciHooks } from '../src/index.js';
import { captureDiagWarnings } from './diag-capture.js';
import { ACCESS_DENIED, startLocalVault } from './local-vault.js';
import type { LocalVault } from './local-vault.js';
import { startTelemetry } from './telemetry.js';
import type { Telemetry } from './telemetry.js';

const warnings = captureDiagWarnings();
let vault: LocalVault;
let telemetry: Telemetry;

beforeAll(async () => {
  // Each variable set for two setups: each is said once. The children one in
  // lower case, which the Azure package also reads.
  process.env['azure_http_tracing_children_disabled'] = 'TRUE';
  const kvHttp = httpHooks({ vaultHosts: ['127.0.0.1'] });
  httpHooks({ vaultHosts: ['127.0.0.1'] });
  delete process.env['azure_http_tracing_children_disabled'];
  process.env['AZURE_HTTP_TRACING_DISABLED'] = 'true';
  httpHooks({ vaultHosts: ['127.0.0.1'] });
  httpHooks({ vaultHosts: ['127.0.0.1'] });
  delete process.env['AZURE_HTTP_TRACING_DISABLED'];
  // "0" and "false" mean unset, as for the Azure package.
  process.env['AZURE_HTTP_TRACING_CHILDREN_DISABLED'] = 'False';
  httpHooks({ vaultHosts: ['127.0.0.1'] });
  delete process.env['AZURE_HTTP_TRACING_CHILDREN_DISABLED'];
  // Created before UndiciInstrumentation, as the README says.
  const kvUndici = undiciHooks({ vaultHosts: ['127.0.0.1'] });
  installFetchBodyTap();
  const appRequestHook = (span: Span) => span.setAttribute('app.request_hook', true);
  const appThrowingHook = () => {
    throw new Error('the app hook failed');
  };
  telemetry = startTelemetry([
    new HttpInstrumentation({
      requestHook: composeHooks(appRequestHook, kvHttp.requestHook),
      responseHook: composeHooks(appThrowingHook, kvHttp.responseHook),
    }),
    new UndiciInstrumentation({
      requestHook: composeHooks(appRequestHook, kvUndici.requestHook),
      responseHook: composeHooks(appThrowingHook, kvUndici.responseHook),
    }),
  ]);
  vault = await startLocalVault();
});

afterAll(async () => {
  await telemetry.shutdown();
  await vault.close();
});

function httpGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks).toString())).on('error', reject);
      })
      .on('error', reject);
  });
}

describe('hooks composed with the app’s own', () => {
  it.each([
    ['http', (url: string) => httpGet(url)],
    ['fetch', async (url: string) => (await fetch(url)).text()],
  ] as const)('%s: the app hook and kvtrace both run, a throwing app hook stops neither', async (_stack, send) => {
    expect(await send(`${vault.origin}/secrets/chunked?api-version=7.5`)).toBe(ACCESS_DENIED);
    const span = telemetry.clientSpans('/secrets/chunked?').at(-1);
    expect(span?.attributes['app.request_hook']).toBe(true);
    expect(span?.attributes).toMatchObject({ 'keyvault.cause': 'access_policy', 'keyvault.error.inner_code': 'AccessDenied' });
  });
});

describe('diag warnings, once each', () => {
  it('says once that AZURE_HTTP_TRACING_CHILDREN_DISABLED (what instrumentation-azure-sdk 1.0 reads) hides the Azure SDK’s HTTP spans', () => {
    const said = warnings.filter((w) => w.includes('kvtrace: AZURE_HTTP_TRACING_CHILDREN_DISABLED is set'));
    expect(said).toHaveLength(1);
    expect(said[0]).toContain('suppresses the HTTP client spans kvtrace enriches');
  });

  it('says once that AZURE_HTTP_TRACING_DISABLED (the old name) has no effect with instrumentation-azure-sdk 1.0', () => {
    const said = warnings.filter((w) => w.includes('kvtrace: AZURE_HTTP_TRACING_DISABLED is set'));
    expect(said).toHaveLength(1);
    expect(said[0]).toContain('1.0 does not read it');
    expect(said[0]).toContain('AZURE_HTTP_TRACING_CHILDREN_DISABLED');
  });

  it('says once that the app replaced the global dispatcher after the tap went in', async () => {
    const slot = Symbol.for('undici.globalDispatcher.1');
    const g = globalThis as unknown as Record<symbol, { dispatch: (...args: unknown[]) => boolean }>;
    const tap = g[slot];
    expect(tap).toBeDefined();
    // What undici 6's setGlobalDispatcher does (Node 20's own undici has no exported setter).
    const replacement = { dispatch: (...args: unknown[]) => tap!.dispatch(...args) };
    Object.defineProperty(globalThis, slot, { value: replacement, writable: true, configurable: false });
    try {
      await (await fetch(`${vault.origin}/secrets/ok?api-version=7.5`)).text();
      await (await fetch(`${vault.origin}/secrets/ok?api-version=7.5`)).text();
    } finally {
      Object.defineProperty(globalThis, slot, { value: tap, writable: true, configurable: false });
    }
    expect(warnings.filter((w) => w.includes('global undici dispatcher was replaced'))).toHaveLength(1);
  });
});
