import { describe, expect, it } from 'vitest';
import { readSettings } from '../src/env.js';
import { kvtraceMetricReaders, kvtraceSampler, kvtraceSpanProcessors } from '../src/exporters.js';

describe('kvtraceSampler', () => {
  it.each([
    [{}, 'ParentBased{root=AlwaysOnSampler'],
    [{ OTEL_TRACES_SAMPLER: 'always_off' }, 'AlwaysOffSampler'],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.5' }, 'TraceIdRatioBased{0.5}'],
    [{ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' }, 'ParentBased{root=TraceIdRatioBased{0.1}'],
    [{ OTEL_TRACES_SAMPLER: 'parentbased_always_off' }, 'ParentBased{root=AlwaysOffSampler'],
  ])('%j -> %s', (env, description) => {
    expect(kvtraceSampler(readSettings(env).settings).toString()).toContain(description);
  });
});

describe('processors and readers', () => {
  it('builds one processor per traces exporter and none for none', () => {
    expect(kvtraceSpanProcessors(readSettings({ OTEL_TRACES_EXPORTER: 'otlp,console' }).settings).map((p) => p.constructor.name)).toEqual([
      'BatchSpanProcessor',
      'SimpleSpanProcessor',
    ]);
    expect(kvtraceSpanProcessors(readSettings({ OTEL_TRACES_EXPORTER: 'none' }).settings)).toEqual([]);
  });

  it('a 500 ms interval builds a working periodic reader (the timeout is clamped, the reader would throw otherwise)', async () => {
    const readers = kvtraceMetricReaders(readSettings({ OTEL_METRICS_EXPORTER: 'console', OTEL_METRIC_EXPORT_INTERVAL: '500' }).settings);
    expect(readers.map((r) => r.constructor.name)).toEqual(['PeriodicExportingMetricReader']);
    await Promise.all(readers.map((r) => r.shutdown()));
  });
});
