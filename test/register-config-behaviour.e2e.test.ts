/**
 * Configuration through the environment on real app processes: the sampler,
 * the periodic metric interval, KVTRACE_* variables, OTEL_SERVICE_NAME.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pickCases } from './support/kv-cases.js';
import { closeScenario, runScenario, type Scenario } from './support/scenario.js';

const FEW = pickCases('sdk-ok', 'fetch-missing');
let scenario: Scenario | undefined;
afterEach(() => closeScenario(scenario));

describe('@kvtrace/register configuration: sampler, interval, KVTRACE_*', { timeout: 60_000 }, () => {
  it('OTEL_TRACES_SAMPLER=always_off records no span', async () => {
    scenario = await runScenario({
      cases: FEW,
      env: (r) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: r.url, OTEL_TRACES_SAMPLER: 'always_off', OTEL_METRICS_EXPORTER: 'none' }),
    });
    expect(scenario.receiver.spans()).toEqual([]);
    expect(scenario.run.answers.get('sdk-ok')).toMatchObject({ ok: true });
  });

  it('OTEL_METRIC_EXPORT_INTERVAL: metrics arrive while the app is still running', async () => {
    scenario = await runScenario({
      cases: FEW,
      keepRunning: true,
      env: (r) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: r.url, OTEL_METRIC_EXPORT_INTERVAL: '300' }),
    });
    await scenario.receiver.waitFor(() => scenario!.receiver.latestMetric('keyvault.requests') !== undefined, 5000, 'periodic metrics');
    expect(scenario.app.child.exitCode).toBeNull();
  });

  it('KVTRACE_RECORD_OBJECT_NAMES=false masks object names, KVTRACE_CHALLENGE_SPAN_STATUS=error keeps the handshake an error; OTEL_SERVICE_NAME names the service', async () => {
    scenario = await runScenario({
      cases: FEW,
      env: (r) => ({
        OTEL_EXPORTER_OTLP_ENDPOINT: r.url,
        KVTRACE_RECORD_OBJECT_NAMES: 'false',
        KVTRACE_CHALLENGE_SPAN_STATUS: 'error',
        OTEL_SERVICE_NAME: 'orders-api',
      }),
    });
    const challenge = scenario.receiver.spans().find((s) => s.attributes['keyvault.cause'] === 'challenge');
    expect(challenge?.status.code).toBe(2);
    const vaultSpans = scenario.receiver.spans().filter((s) => s.attributes['keyvault.vault.name'] !== undefined);
    expect(vaultSpans.length).toBeGreaterThanOrEqual(3);
    for (const s of vaultSpans) {
      expect(s.attributes).not.toHaveProperty('keyvault.object.name');
      expect(String(s.attributes['url.full'])).toMatch(/\/secrets\/REDACTED\/?\?api-version=/);
      expect(s.resource['service.name']).toBe('orders-api');
    }
    // The app's own server spans carry its route; the vault-side name must not leak through the client spans.
    const clientBytes = JSON.stringify(vaultSpans.map((s) => s.attributes));
    expect(clientBytes).not.toContain('db-password');
  });
});
