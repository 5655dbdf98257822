import { createServer } from 'node:net';
import { metrics as sdkMetrics, tracing } from '@opentelemetry/sdk-node';
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

/** A loopback port nothing listens on: the collector is down. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// otlp-exporter-base retries a refused export on ref'd timers until its
// timeoutMillis runs out (default 10 s there): what holds a finished app alive.
describe('OTLP exporters get the timeout register read (collector down)', () => {
  it.each(['http/protobuf', 'http/json'])('%s: a span export gives up after OTEL_EXPORTER_OTLP_TRACES_TIMEOUT, retries included', async (protocol) => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await closedPort()}`, OTEL_EXPORTER_OTLP_PROTOCOL: protocol, OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '1500' };
    const [processor] = kvtraceSpanProcessors(readSettings(env).settings);
    const provider = new tracing.BasicTracerProvider({ spanProcessors: [processor!] });
    provider.getTracer('t').startSpan('s').end();
    const started = Date.now();
    await processor!.forceFlush().catch(() => {});
    const ms = Date.now() - started;
    // It did retry (the first refusal comes in a few ms, the first retry after 0.8-1.2 s), and stopped at the deadline, not 10 s later.
    expect(ms).toBeGreaterThan(700);
    expect(ms).toBeLessThan(3000);
    await provider.shutdown().catch(() => {});
  });

  it('a metric export gives up after OTEL_EXPORTER_OTLP_METRICS_TIMEOUT', async () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await closedPort()}`, OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: '1500' };
    const [reader] = kvtraceMetricReaders(readSettings(env).settings);
    const provider = new sdkMetrics.MeterProvider({ readers: [reader!] });
    provider.getMeter('m').createCounter('c').add(1);
    const started = Date.now();
    await reader!.forceFlush().catch(() => {});
    const ms = Date.now() - started;
    expect(ms).toBeGreaterThan(700);
    expect(ms).toBeLessThan(3000);
    await provider.shutdown().catch(() => {});
  });
});
