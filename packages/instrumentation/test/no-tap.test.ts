/**
 * Without the fetch body tap, on Node 20's bundled undici 6: the fact the
 * tap exists for. The bundled dispatcher publishes no body chunks, so a fetch
 * 403 gets only what its headers say, and kvtrace says once why. A tap asked
 * for afterwards keeps the dispatcher the app already uses, and says so.
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
  const hooks = undiciHooks({ vaultHosts: ['127.0.0.1'] });
  telemetry = startTelemetry([new UndiciInstrumentation({ ...hooks })]);
  vault = await startLocalVault();
});

afterAll(async () => {
  await telemetry.shutdown();
  await vault.close();
});

describe.runIf(process.versions.undici?.startsWith('6.'))("Node's bundled undici 6, no tap", () => {
  it('diagnoses a 403 from its headers only, and warns once that the body was not seen', async () => {
    for (let i = 0; i < 2; i++) expect(await (await fetch(`${vault.origin}/secrets/plain?api-version=7.5`)).text()).toBe(ACCESS_DENIED);
    const span = telemetry.clientSpans('/secrets/plain?').at(-1);
    expect(span?.attributes['keyvault.outcome']).toBe('forbidden');
    expect(span?.attributes['keyvault.error.code']).toBeUndefined();
    expect(span?.attributes['keyvault.cause']).not.toBe('access_policy');
    expect(warnings.filter((w) => w.includes('publishes no body chunks'))).toHaveLength(1);
  });

  it('a tap asked for after the first fetch keeps the existing dispatcher and says so', () => {
    const slot = Symbol.for('undici.globalDispatcher.1');
    const before = (globalThis as unknown as Record<symbol, unknown>)[slot];
    expect(before).toBeDefined();
    expect(installFetchBodyTap()).toBe(false);
    expect((globalThis as unknown as Record<symbol, unknown>)[slot]).toBe(before);
    expect(warnings.filter((w) => w.includes('kvtrace keeps it'))).toHaveLength(1);
  });
});
