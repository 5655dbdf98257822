/**
 * The receiver decodes what the real OTLP/HTTP exporters send, in both
 * encodings, identically: the e2e assertions stand on this.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { readSettings, kvtraceMetricReaders, kvtraceSpanProcessors } from '@kvtrace/register/start';
import { metrics, tracing } from '@opentelemetry/sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver } from './support/otlp-receiver.js';

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await OtlpReceiver.start();
});
afterAll(() => receiver.close());

describe.each(['http/protobuf', 'http/json'])('OtlpReceiver with the real exporter over %s', (protocol) => {
  it('decodes spans (ids, parent, kind, status, attributes of every type, events) and metrics', async () => {
    receiver.clear();
    const { settings } = readSettings({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      OTEL_METRIC_EXPORT_INTERVAL: '600000',
    });
    const provider = new tracing.BasicTracerProvider({ spanProcessors: kvtraceSpanProcessors(settings) });
    const tracer = provider.getTracer('receiver-test');
    const parent = tracer.startSpan('parent', { kind: SpanKind.SERVER });
    const child = tracer.startSpan(
      'child',
      {
        kind: SpanKind.CLIENT,
        attributes: { s: 'text', i: 429, d: 0.25, b: false, arr: ['x', 'y'] },
      },
      trace.setSpan(ROOT_CONTEXT, parent),
    );
    child.addEvent('keyvault.diagnosis', { 'keyvault.cause': 'throttled' });
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    child.end();
    parent.setStatus({ code: SpanStatusCode.OK });
    parent.end();
    await provider.forceFlush();

    const meterProvider = new metrics.MeterProvider({ readers: kvtraceMetricReaders(settings) });
    const meter = meterProvider.getMeter('receiver-test');
    meter.createCounter('c', { unit: '{request}' }).add(3, { k: 'v' });
    meter.createHistogram('h', { unit: 's' }).record(1.5, { k: 'w' });
    meter.createGauge('g', { unit: '1' }).record(0.75);
    await meterProvider.forceFlush();

    expect(receiver.errors).toEqual([]);
    expect(receiver.contentTypes('/v1/traces')).toEqual([
      protocol === 'http/json' ? 'application/json' : 'application/x-protobuf',
    ]);
    const spans = receiver.spans();
    const p = spans.find((s) => s.name === 'parent')!;
    const c = spans.find((s) => s.name === 'child')!;
    expect(p.traceId).toBe(parent.spanContext().traceId);
    expect(p.spanId).toBe(parent.spanContext().spanId);
    expect(p.parentSpanId).toBe('');
    expect(p).toMatchObject({ kind: 2, status: { code: 1 } });
    expect(c.parentSpanId).toBe(p.spanId);
    expect(c).toMatchObject({ kind: 3, status: { code: 2, message: 'boom' }, scope: 'receiver-test' });
    expect(c.attributes).toEqual({ s: 'text', i: 429, d: 0.25, b: false, arr: ['x', 'y'] });
    expect(c.events).toEqual([{ name: 'keyvault.diagnosis', attributes: { 'keyvault.cause': 'throttled' } }]);
    expect(typeof c.resource['service.name']).toBe('string');

    expect(receiver.latestMetric('c')).toMatchObject({ type: 'sum', unit: '{request}', points: [{ attributes: { k: 'v' }, value: 3 }] });
    expect(receiver.latestMetric('h')).toMatchObject({
      type: 'histogram',
      unit: 's',
      points: [{ attributes: { k: 'w' }, count: 1, sum: 1.5, min: 1.5, max: 1.5 }],
    });
    expect(receiver.latestMetric('g')).toMatchObject({ type: 'gauge', points: [{ value: 0.75 }] });
    expect(receiver.allBytes().includes('keyvault.diagnosis')).toBe(true);

    await provider.shutdown();
    await meterProvider.shutdown();
  });
});
