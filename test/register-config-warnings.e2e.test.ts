/**
 * Configuration through the environment on real app processes: bad values
 * warn (naming the variable and the fallback) and never stop the app, a
 * taken Prometheus port warns, OTEL_SDK_DISABLED starts nothing.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './support/free-port.js';
import { pickCases } from './support/kv-cases.js';
import { closeScenario, runScenario, type Scenario } from './support/scenario.js';

const FEW = pickCases('sdk-ok', 'fetch-missing');
let scenario: Scenario | undefined;
afterEach(() => closeScenario(scenario));

describe('@kvtrace/register configuration: bad values never stop the app', { timeout: 60_000 }, () => {
  it('bad values: one warning per variable naming the fallback; the app runs and spans still arrive', async () => {
    scenario = await runScenario({
      cases: FEW,
      env: (r) => ({
        OTEL_EXPORTER_OTLP_ENDPOINT: r.url,
        OTEL_TRACES_EXPORTER: 'zipkin',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_TRACES_SAMPLER: 'bogus',
        OTEL_METRIC_EXPORT_INTERVAL: 'soon',
        KVTRACE_RECORD_OBJECT_NAMES: 'maybe',
      }),
    });
    const err = scenario.app.stderr;
    expect(err).toContain('kvtrace: OTEL_TRACES_EXPORTER value "zipkin" is not supported');
    expect(err).toContain('kvtrace: OTEL_TRACES_EXPORTER="zipkin" names no supported exporter; using otlp.');
    expect(err).toContain('kvtrace: OTEL_EXPORTER_OTLP_PROTOCOL="grpc" is not valid (kvtrace supports http/protobuf and http/json); using http/protobuf.');
    expect(err).toMatch(/kvtrace: OTEL_TRACES_SAMPLER="bogus" is not valid \(.*\); using parentbased_always_on\./);
    expect(err).toContain('kvtrace: OTEL_METRIC_EXPORT_INTERVAL="soon" is not valid (expected a positive integer); using 60000.');
    expect(err).toContain('kvtrace: KVTRACE_RECORD_OBJECT_NAMES="maybe" is not valid (expected true or false); using true.');
    expect(scenario.exit).toEqual({ code: 0, signal: null });
    expect(scenario.run.answers.get('sdk-ok')).toMatchObject({ ok: true });
    expect(scenario.receiver.contentTypes('/v1/traces')).toEqual(['application/x-protobuf']);
    expect(scenario.receiver.spans().some((s) => s.attributes['keyvault.cause'] === 'missing_token')).toBe(true);
  });

  it('a taken Prometheus port costs a warning, not the app', async () => {
    const port = await freePort();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      scenario = await runScenario({
        cases: FEW,
        env: (r) => ({
          OTEL_EXPORTER_OTLP_ENDPOINT: r.url,
          OTEL_METRICS_EXPORTER: 'prometheus',
          OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
          OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
        }),
      });
      expect(scenario.app.stderr).toContain(`kvtrace: the Prometheus exporter could not listen on 127.0.0.1:${port} (EADDRINUSE); metrics are not served.`);
      expect(scenario.exit).toEqual({ code: 0, signal: null });
      expect(scenario.run.answers.get('sdk-ok')).toMatchObject({ ok: true });
    } finally {
      blocker.close();
    }
  });

  it('OTEL_SDK_DISABLED=true starts nothing', async () => {
    scenario = await runScenario({ cases: FEW, env: (r) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: r.url, OTEL_SDK_DISABLED: 'true' }) });
    expect(scenario.receiver.requests).toEqual([]);
    expect(scenario.exit).toEqual({ code: 0, signal: null });
  });
});
