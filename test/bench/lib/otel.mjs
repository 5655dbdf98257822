// One OpenTelemetry SDK for every variant of the run: the same TracerProvider,
// BatchSpanProcessor, propagator and MeterProvider serve stock and kvtrace
// alike, so whatever export and aggregation cost there is, both pay it equally.
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * Drops spans (no serialisation, no I/O) but counts them, so each round can
 * prove which variant ran: no spans for A/D, spans without `keyvault.*` for
 * the stock variants, spans with them for kvtrace.
 */
export class CountingExporter {
  spans = 0;
  kvtraceSpans = 0;
  export(spans, done) {
    for (const span of spans) {
      this.spans++;
      if (span.attributes['keyvault.vault.name'] !== undefined || span.attributes['keyvault.operation'] !== undefined) {
        this.kvtraceSpans++;
      }
    }
    done({ code: 0 });
  }
  reset() {
    this.spans = 0;
    this.kvtraceSpans = 0;
  }
  forceFlush() {
    return Promise.resolve();
  }
  shutdown() {
    return Promise.resolve();
  }
}

/**
 * A reader that is never collected: instruments still aggregate every
 * measurement (what a real exporter pipeline costs on the request path),
 * nothing leaves the process.
 */
class IdleMetricReader extends MetricReader {
  onForceFlush() {
    return Promise.resolve();
  }
  onShutdown() {
    return Promise.resolve();
  }
}

/** Installs the global providers; must run before any instrumentation is built (they bind their meter at construction). */
export function installOtel() {
  const exporter = new CountingExporter();
  const processor = new BatchSpanProcessor(exporter);
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [processor] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(tracerProvider);
  const meterProvider = new MeterProvider({ readers: [new IdleMetricReader()] });
  metrics.setGlobalMeterProvider(meterProvider);
  return {
    exporter,
    /** Exports what the batch processor holds, so the counts cover the round just run. */
    flush: () => tracerProvider.forceFlush(),
    shutdown: async () => {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}
