/**
 * In-process OpenTelemetry for the tests: kvtrace's instrumentations
 * registered with a real tracer provider (in-memory exporter, so the spans
 * asserted on are the ENDED spans) and a real meter provider read on demand.
 */
import { createRequire } from 'node:module';
import { context, metrics, trace } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface Telemetry {
  readonly spans: InMemorySpanExporter;
  readonly meterProvider: MeterProvider;
  readonly instrumentations: Instrumentation[];
  /** Client spans with `url.full` containing `fragment`, ended and exported. */
  clientSpans(fragment?: string): ReadableSpan[];
  collectMetrics(): Promise<ResourceMetrics>;
  shutdown(): Promise<void>;
}

export function startTelemetry(instrumentations: Instrumentation[]): Telemetry {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(tracerProvider);
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(meterProvider);
  const unregister = registerInstrumentations({ instrumentations, tracerProvider, meterProvider });
  // instrumentation-http patches node:http/https when they are require()d (in
  // place, so ESM default imports such as the Azure SDK's see it too); under
  // vitest nothing requires them after this point, so do it here. Apps get
  // this from @kvtrace/register's loader hooks.
  const require = createRequire(import.meta.url);
  require('node:http');
  require('node:https');
  return {
    spans,
    meterProvider,
    instrumentations,
    clientSpans(fragment = '') {
      return spans
        .getFinishedSpans()
        .filter((s) => s.kind === 2 && String(s.attributes['url.full'] ?? '').includes(fragment));
    },
    async collectMetrics() {
      const { resourceMetrics } = await reader.collect();
      return resourceMetrics;
    },
    async shutdown() {
      unregister();
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
      trace.disable();
      metrics.disable();
      context.disable();
    },
  };
}

/** Data points of one metric, as plain attribute sets and values. */
export function points(resourceMetrics: ResourceMetrics, name: string): Array<{ attributes: Attributes; value: unknown }> {
  const out: Array<{ attributes: Attributes; value: unknown }> = [];
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue;
      for (const p of metric.dataPoints) out.push({ attributes: p.attributes, value: p.value });
    }
  }
  return out;
}
