/**
 * Exporter values of DESIGN.md's "Register: environment" on real app
 * processes: a Prometheus scrape on a loopback port, and the signal-specific
 * OTLP endpoint/protocol variables sending to two receivers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './support/free-port.js';
import { pickCases } from './support/kv-cases.js';
import { OtlpReceiver } from './support/otlp-receiver.js';
import { closeScenario, runScenario, type Scenario } from './support/scenario.js';

const FEW = pickCases('sdk-ok', 'fetch-missing', 'fetch-throttle');
let scenario: Scenario | undefined;
afterEach(() => closeScenario(scenario));

describe('@kvtrace/register environment: Prometheus and signal-specific OTLP', { timeout: 60_000 }, () => {
  it('OTEL_METRICS_EXPORTER=prometheus serves keyvault_* series on OTEL_EXPORTER_PROMETHEUS_HOST:PORT', async () => {
    const port = await freePort();
    scenario = await runScenario({
      cases: FEW,
      keepRunning: true,
      env: (r) => ({
        OTEL_METRICS_EXPORTER: 'prometheus',
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
        OTEL_EXPORTER_OTLP_ENDPOINT: r.url,
      }),
    });
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    /** Value of the first sample of `name` whose labels include `labels` (any order). */
    const sample = (name: string, labels: Record<string, string>): number | undefined => {
      for (const line of text.split('\n')) {
        const m = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
        if (m?.[1] !== name) continue;
        const have = Object.fromEntries([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
        if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
      }
      return undefined;
    };
    const vault = { keyvault_vault_name: 'fakevault', keyvault_operation: 'secrets.get' };
    expect(sample('keyvault_requests_total', { ...vault, http_response_status_code: '401', keyvault_outcome: 'unauthenticated', keyvault_cause: 'missing_token' })).toBe(1);
    expect(sample('keyvault_requests_total', { ...vault, http_response_status_code: '401', keyvault_outcome: 'challenge', keyvault_cause: 'challenge' })).toBe(1);
    expect(sample('keyvault_requests_total', { ...vault, http_response_status_code: '200', keyvault_outcome: 'ok', keyvault_cause: 'none' })).toBe(1);
    expect(sample('keyvault_requests_total', { ...vault, http_response_status_code: '429', keyvault_outcome: 'throttled', keyvault_cause: 'throttled' })).toBe(1);
    // DESIGN.md's series name: register adds the _seconds unit suffix the JS exporter leaves out.
    expect(text).not.toMatch(/^keyvault_retry_after_(sum|count|bucket)/m);
    expect(sample('keyvault_retry_after_seconds_sum', vault)).toBe(2);
    expect(sample('keyvault_retry_after_seconds_count', vault)).toBe(1);
    expect(sample('keyvault_throttle_utilization', { keyvault_vault_name: 'fakevault' })).toBeGreaterThan(0);
    // Traces still went the default way.
    await scenario.app.shutdown();
    expect(scenario.receiver.spans().some((s) => s.attributes['keyvault.cause'] === 'missing_token')).toBe(true);
  });

  it('signal-specific OTLP variables send traces and metrics to different receivers in different encodings', async () => {
    const metricsReceiver = await OtlpReceiver.start();
    try {
      scenario = await runScenario({
        cases: FEW,
        env: (r) => ({
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${r.url}/v1/traces`,
          OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
          OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${metricsReceiver.url}/v1/metrics`,
          OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json',
        }),
      });
      expect(scenario.receiver.contentTypes('/v1/traces')).toEqual(['application/x-protobuf']);
      expect(scenario.receiver.contentTypes('/v1/metrics')).toEqual([]);
      expect(metricsReceiver.contentTypes('/v1/metrics')).toEqual(['application/json']);
      expect(metricsReceiver.latestMetric('keyvault.requests')?.points.length).toBeGreaterThan(0);
    } finally {
      await metricsReceiver.close();
    }
  });
});
