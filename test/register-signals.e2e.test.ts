/**
 * DESIGN.md: register flushes on SIGTERM/SIGINT and re-raises the signal only
 * when its listener is the only one, so an app's graceful shutdown keeps control.
 * The batch delay and metric interval are set far out: only kvtrace's flush can
 * deliver what the receiver gets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pickCases } from './support/kv-cases.js';
import { closeScenario, runScenario, type Scenario } from './support/scenario.js';

let scenario: Scenario | undefined;
afterEach(() => closeScenario(scenario));

const slowExport = (url: string, extra: Record<string, string> = {}): Record<string, string> => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: url,
  OTEL_BSP_SCHEDULE_DELAY: '600000',
  OTEL_METRIC_EXPORT_INTERVAL: '600000',
  ...extra,
});

describe('signals', { timeout: 60_000 }, () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('an app without its own %s handler is ended by the signal, after the flush', async (signal) => {
    scenario = await runScenario({ cases: pickCases('fetch-missing'), keepRunning: true, env: (r) => slowExport(r.url) });
    expect(scenario.receiver.requests).toEqual([]);
    const exit = await scenario.app.kill(signal);
    expect(exit).toEqual({ code: null, signal });
    expect(scenario.receiver.spans().some((s) => s.attributes['keyvault.cause'] === 'missing_token')).toBe(true);
    expect(scenario.receiver.latestMetric('keyvault.requests')?.points.length).toBeGreaterThan(0);
  });

  it('an app with its own SIGTERM handler keeps control: it finishes its graceful shutdown and exits 0; spans were flushed', async () => {
    scenario = await runScenario({
      cases: pickCases('fetch-missing'),
      keepRunning: true,
      env: (r) => slowExport(r.url, { APP_SIGTERM_HANDLER: '1' }),
    });
    const app = scenario.app;
    app.child.kill('SIGTERM');
    // kvtrace flushes at the signal, while the app is still draining.
    await scenario.receiver.waitFor(() => scenario!.receiver.spans().length > 0, 5000, 'spans flushed at SIGTERM');
    expect(app.child.exitCode).toBeNull();
    const exit = await app.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(app.stdout).toContain('{"graceful":"started"}');
    expect(app.stdout).toContain('{"graceful":"done"}');
    expect(scenario.receiver.spans().some((s) => s.attributes['keyvault.cause'] === 'missing_token')).toBe(true);
  });
});
