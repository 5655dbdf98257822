/**
 * Why undiciHooks() must be called before UndiciInstrumentation is built:
 * channel subscribers run in subscription order, and the instrumentation
 * ends the span in its `undici:request:trailers` subscriber. Here the app gets
 * it wrong on purpose. A body framed by content-length is still diagnosed in
 * time (kvtrace finishes on the chunk that completes it); a chunked body can
 * only be finished at trailers, after the span ended, and kvtrace says so.
 */
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installFetchBodyTap, undiciHooks } from '../src/index.js';
import { captureDiagWarnings } from './diag-capture.js';
import { ACCESS_DENIED, startLocalVault } from './local-vault.js';
import type { LocalVault } from './local-vault.js';
import { startTelemetry } from './telemetry.js';
import type { Telemetry } from './telemetry.js';

const warnings = captureDiagWarnings();
let vault: LocalVault;
let telemetry: Telemetry;

beforeAll(async () => {
  installFetchBodyTap();
  const undici = new UndiciInstrumentation();
  telemetry = startTelemetry([undici]);
  // Too late: the instrumentation subscribed to the channels when it was built.
  undici.setConfig({ ...undiciHooks({ vaultHosts: ['127.0.0.1'] }) });
  vault = await startLocalVault();
});

afterAll(async () => {
  await telemetry.shutdown();
  await vault.close();
});

describe('hooks created after UndiciInstrumentation', () => {
  it('still diagnose a content-length body before the span ends', async () => {
    expect(await (await fetch(`${vault.origin}/secrets/plain?api-version=7.5`)).text()).toBe(ACCESS_DENIED);
    const span = telemetry.clientSpans('/secrets/plain?').at(-1);
    expect(span?.attributes['keyvault.cause']).toBe('access_policy');
    expect(warnings.some((w) => w.includes('ended before kvtrace'))).toBe(false);
  });

  it('miss a chunked body (the span ended first), and say so once', async () => {
    expect(await (await fetch(`${vault.origin}/secrets/chunked?api-version=7.5`)).text()).toBe(ACCESS_DENIED);
    expect(await (await fetch(`${vault.origin}/secrets/chunked?api-version=7.5`)).text()).toBe(ACCESS_DENIED);
    const span = telemetry.clientSpans('/secrets/chunked?').at(-1);
    expect(span?.attributes['keyvault.vault.name']).toBe('127');
    expect(span?.attributes['keyvault.cause']).toBeUndefined();
    expect(warnings.filter((w) => w.includes('ended before kvtrace'))).toHaveLength(1);
  });
});
