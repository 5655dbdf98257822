import { describe, expect, it } from 'vitest';
import { readSettings } from '../src/env.js';

describe('readSettings: defaults', () => {
  it('gives the OTel defaults for an empty environment, with no warning', () => {
    const { settings, warnings } = readSettings({});
    expect(warnings).toEqual([]);
    expect(settings).toEqual({
      disabled: false,
      serviceName: undefined,
      tracesExporters: ['otlp'],
      metricsExporters: ['otlp'],
      traces: { url: 'http://localhost:4318/v1/traces', protocol: 'http/protobuf', timeoutMs: 5000 },
      metrics: {
        url: 'http://localhost:4318/v1/metrics',
        protocol: 'http/protobuf',
        timeoutMs: 5000,
        exportIntervalMs: 60_000,
        exportTimeoutMs: 30_000,
      },
      prometheus: { host: undefined, port: 9464 },
      sampler: { name: 'parentbased_always_on', ratio: 1 },
      kvtrace: {},
    });
  });

  it('treats empty and blank values as unset', () => {
    const { settings, warnings } = readSettings({ OTEL_TRACES_EXPORTER: '', OTEL_SERVICE_NAME: '  ' });
    expect(warnings).toEqual([]);
    expect(settings.tracesExporters).toEqual(['otlp']);
    expect(settings.serviceName).toBeUndefined();
  });
});

describe('readSettings: exporters', () => {
  it.each([
    ['otlp', ['otlp']],
    ['console', ['console']],
    ['none', []],
    ['otlp,console', ['otlp', 'console']],
    [' Console , otlp ', ['console', 'otlp']],
    ['otlp,none', []],
  ])('OTEL_TRACES_EXPORTER=%j -> %j', (value, expected) => {
    const { settings, warnings } = readSettings({ OTEL_TRACES_EXPORTER: value });
    expect(warnings).toEqual([]);
    expect(settings.tracesExporters).toEqual(expected);
  });

  it.each([
    ['prometheus', ['prometheus']],
    ['console', ['console']],
    ['none', []],
    ['otlp,prometheus', ['otlp', 'prometheus']],
  ])('OTEL_METRICS_EXPORTER=%j -> %j', (value, expected) => {
    const { settings, warnings } = readSettings({ OTEL_METRICS_EXPORTER: value });
    expect(warnings).toEqual([]);
    expect(settings.metricsExporters).toEqual(expected);
  });

  it('ignores an unsupported exporter with a warning naming it, keeping the rest', () => {
    const { settings, warnings } = readSettings({ OTEL_TRACES_EXPORTER: 'zipkin,console' });
    expect(settings.tracesExporters).toEqual(['console']);
    expect(warnings).toEqual([
      'kvtrace: OTEL_TRACES_EXPORTER value "zipkin" is not supported (supported: otlp, console, none); ignoring it.',
    ]);
  });

  it('falls back to otlp when no named exporter is supported', () => {
    const { settings, warnings } = readSettings({ OTEL_METRICS_EXPORTER: 'statsd' });
    expect(settings.metricsExporters).toEqual(['otlp']);
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toBe('kvtrace: OTEL_METRICS_EXPORTER="statsd" names no supported exporter; using otlp.');
  });
});

describe('readSettings: OTLP endpoint and protocol', () => {
  it('appends the signal path to the generic endpoint, trailing slash or not', () => {
    for (const base of ['http://127.0.0.1:4999', 'http://127.0.0.1:4999/']) {
      const { settings } = readSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: base });
      expect(settings.traces.url).toBe('http://127.0.0.1:4999/v1/traces');
      expect(settings.metrics.url).toBe('http://127.0.0.1:4999/v1/metrics');
    }
  });

  it('uses a signal-specific endpoint as is and prefers it over the generic one', () => {
    const { settings } = readSettings({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:2/custom/traces',
    });
    expect(settings.traces.url).toBe('http://127.0.0.1:2/custom/traces');
    expect(settings.metrics.url).toBe('http://127.0.0.1:1/v1/metrics');
  });

  it('reads the protocol generically and per signal', () => {
    const { settings } = readSettings({
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf',
    });
    expect(settings.traces.protocol).toBe('http/json');
    expect(settings.metrics.protocol).toBe('http/protobuf');
  });

  it('reads the OTLP timeout per signal, then the generic one; a bad value warns and keeps kvtrace\'s 5 s', () => {
    const { settings, warnings } = readSettings({ OTEL_EXPORTER_OTLP_TIMEOUT: '2000', OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '750' });
    expect([settings.traces.timeoutMs, settings.metrics.timeoutMs]).toEqual([750, 2000]);
    expect(warnings).toEqual([]);
    const bad = readSettings({ OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: '-1', OTEL_EXPORTER_OTLP_TIMEOUT: '1.5s' });
    expect([bad.settings.traces.timeoutMs, bad.settings.metrics.timeoutMs]).toEqual([5000, 5000]);
    expect(bad.warnings).toEqual([
      'kvtrace: OTEL_EXPORTER_OTLP_TIMEOUT="1.5s" is not valid (expected a positive integer); using 5000.',
      'kvtrace: OTEL_EXPORTER_OTLP_METRICS_TIMEOUT="-1" is not valid (expected a positive integer); using 5000.',
    ]);
  });

  it('warns about grpc and an invalid endpoint, falling back', () => {
    const { settings, warnings } = readSettings({
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4317',
    });
    expect(settings.traces).toEqual({ url: 'http://localhost:4318/v1/traces', protocol: 'http/protobuf', timeoutMs: 5000 });
    expect(warnings).toContain(
      'kvtrace: OTEL_EXPORTER_OTLP_PROTOCOL="grpc" is not valid (kvtrace supports http/protobuf and http/json); using http/protobuf.',
    );
    expect(warnings).toContain(
      'kvtrace: OTEL_EXPORTER_OTLP_ENDPOINT="localhost:4317" is not valid (expected an http(s) URL); using http://localhost:4318.',
    );
  });
});

describe('readSettings: sampler, intervals, Prometheus', () => {
  it.each([
    [{ OTEL_TRACES_SAMPLER: 'always_off' }, { name: 'always_off', ratio: 1 }],
    [{ OTEL_TRACES_SAMPLER: 'TraceIdRatio', OTEL_TRACES_SAMPLER_ARG: '0.25' }, { name: 'traceidratio', ratio: 0.25 }],
    [{ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' }, { name: 'parentbased_traceidratio', ratio: 0 }],
    // The argument means nothing to a non-ratio sampler.
    [{ OTEL_TRACES_SAMPLER: 'always_on', OTEL_TRACES_SAMPLER_ARG: 'x' }, { name: 'always_on', ratio: 1 }],
  ])('%j -> %j', (env, expected) => {
    const { settings, warnings } = readSettings(env);
    expect(warnings).toEqual([]);
    expect(settings.sampler).toEqual(expected);
  });

  it('warns about an unknown sampler and an out-of-range ratio', () => {
    const a = readSettings({ OTEL_TRACES_SAMPLER: 'jaeger_remote' });
    expect(a.settings.sampler.name).toBe('parentbased_always_on');
    expect(a.warnings[0]).toMatch(/^kvtrace: OTEL_TRACES_SAMPLER="jaeger_remote" is not valid .*; using parentbased_always_on\.$/);
    const b = readSettings({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1.5' });
    expect(b.settings.sampler.ratio).toBe(1);
    expect(b.warnings).toEqual([
      'kvtrace: OTEL_TRACES_SAMPLER_ARG="1.5" is not valid (expected a ratio between 0 and 1); using 1.',
    ]);
  });

  it('clamps the export timeout to a short interval (the reader would throw otherwise)', () => {
    const { settings } = readSettings({ OTEL_METRIC_EXPORT_INTERVAL: '500' });
    expect(settings.metrics.exportIntervalMs).toBe(500);
    expect(settings.metrics.exportTimeoutMs).toBe(500);
  });

  it.each(['0', '-5', '1.5', 'soon'])('warns about OTEL_METRIC_EXPORT_INTERVAL=%j and keeps 60000', (value) => {
    const { settings, warnings } = readSettings({ OTEL_METRIC_EXPORT_INTERVAL: value });
    expect(settings.metrics.exportIntervalMs).toBe(60_000);
    expect(warnings).toEqual([
      `kvtrace: OTEL_METRIC_EXPORT_INTERVAL=${JSON.stringify(value)} is not valid (expected a positive integer); using 60000.`,
    ]);
  });

  it('reads the Prometheus host and port, warning about a bad port', () => {
    expect(readSettings({ OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: '9999' }).settings.prometheus)
      .toEqual({ host: '127.0.0.1', port: 9999 });
    const bad = readSettings({ OTEL_EXPORTER_PROMETHEUS_PORT: '70000' });
    expect(bad.settings.prometheus.port).toBe(9464);
    expect(bad.warnings[0]).toContain('OTEL_EXPORTER_PROMETHEUS_PORT="70000"');
  });

  it('reads OTEL_SERVICE_NAME and OTEL_SDK_DISABLED', () => {
    const { settings } = readSettings({ OTEL_SERVICE_NAME: 'orders', OTEL_SDK_DISABLED: 'TRUE' });
    expect(settings.serviceName).toBe('orders');
    expect(settings.disabled).toBe(true);
  });
});

describe('readSettings: KVTRACE_* variables', () => {
  it('maps every variable onto KvtraceConfig', () => {
    const { settings, warnings } = readSettings({
      KVTRACE_VAULT_HOSTS: 'Kv.Internal.Example, other.example ,',
      KVTRACE_RECORD_OBJECT_NAMES: 'false',
      KVTRACE_CHALLENGE_SPAN_STATUS: 'ERROR',
      KVTRACE_MAX_BODY_BYTES: '4096',
      KVTRACE_CLOCK_SKEW_S: '0',
      KVTRACE_CLAIMS_CACHE_SIZE: '50',
    });
    expect(warnings).toEqual([]);
    expect(settings.kvtrace).toEqual({
      vaultHosts: ['kv.internal.example', 'other.example'],
      recordObjectNames: false,
      challengeSpanStatus: 'error',
      maxBodyBytes: 4096,
      clockSkewS: 0,
      claimsCacheSize: 50,
    });
  });

  it('drops bad values with a warning each, leaving the instrumentation defaults', () => {
    const { settings, warnings } = readSettings({
      KVTRACE_RECORD_OBJECT_NAMES: 'maybe',
      KVTRACE_CHALLENGE_SPAN_STATUS: 'unset',
      KVTRACE_MAX_BODY_BYTES: '0',
      KVTRACE_CLOCK_SKEW_S: '-1',
    });
    expect(settings.kvtrace).toEqual({ recordObjectNames: true });
    expect(warnings.map((w) => w.split('=')[0])).toEqual([
      'kvtrace: KVTRACE_RECORD_OBJECT_NAMES',
      'kvtrace: KVTRACE_CHALLENGE_SPAN_STATUS',
      'kvtrace: KVTRACE_MAX_BODY_BYTES',
      'kvtrace: KVTRACE_CLOCK_SKEW_S',
    ]);
  });
});
