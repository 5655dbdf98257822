/**
 * Builds the SDK parts that NodeSDK would have built from `OTEL_*` had it not
 * been handed span processors: exporters, metric readers and the sampler.
 */
import { OTLPMetricExporter as OTLPMetricExporterJson } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OTLPMetricExporterProto } from '@opentelemetry/exporter-metrics-otlp-proto';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter as OTLPTraceExporterJson } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPTraceExporterProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { metrics, tracing } from '@opentelemetry/sdk-node';
import { consoleTreeProcessor, type ConsoleTreeExporterOptions } from './console-tree.js';
import type { RegisterSettings } from './env.js';

export interface ProcessorOptions {
  /** Where `OTEL_TRACES_EXPORTER=console` writes its trees (default `process.stdout`). */
  consoleWrite?: ConsoleTreeExporterOptions['write'];
}

/**
 * The span processors for `OTEL_TRACES_EXPORTER`: a batching OTLP/HTTP
 * exporter (protobuf or JSON) and/or the console tree. Pass them to your own
 * NodeSDK/TracerProvider when you build the SDK yourself.
 *
 * @example
 * const { settings } = readSettings(process.env);
 * new NodeSDK({ spanProcessors: kvtraceSpanProcessors(settings), instrumentations: createInstrumentations() });
 */
export function kvtraceSpanProcessors(settings: RegisterSettings, options: ProcessorOptions = {}): tracing.SpanProcessor[] {
  return settings.tracesExporters.map((name) => {
    if (name === 'console') {
      return consoleTreeProcessor(options.consoleWrite === undefined ? {} : { write: options.consoleWrite });
    }
    const config = { url: settings.traces.url, timeoutMillis: settings.traces.timeoutMs };
    const exporter =
      settings.traces.protocol === 'http/json' ? new OTLPTraceExporterJson(config) : new OTLPTraceExporterProto(config);
    // BatchSpanProcessor reads OTEL_BSP_* itself.
    return new tracing.BatchSpanProcessor(exporter);
  });
}

/** Called with a message when a reader cannot start (e.g. the Prometheus port is taken). */
export type ReaderWarning = (message: string) => void;

/**
 * The metric readers for `OTEL_METRICS_EXPORTER`: periodic OTLP/HTTP or console
 * export every `OTEL_METRIC_EXPORT_INTERVAL` ms, and/or a Prometheus scrape
 * endpoint on `OTEL_EXPORTER_PROMETHEUS_HOST:PORT`.
 */
export function kvtraceMetricReaders(
  settings: RegisterSettings,
  warn: ReaderWarning = (m) => console.warn(m),
): metrics.IMetricReader[] {
  const { exportIntervalMs, exportTimeoutMs } = settings.metrics;
  return settings.metricsExporters.map((name) => {
    if (name === 'prometheus') {
      const { host, port } = settings.prometheus;
      return new SecondsSuffixPrometheusExporter({ ...(host !== undefined && { host }), port }, (error) => {
        if (error) warn(`kvtrace: the Prometheus exporter could not listen on ${host ?? '*'}:${port} (${describe(error)}); metrics are not served.`);
      });
    }
    const exporter =
      name === 'console'
        ? new metrics.ConsoleMetricExporter()
        : settings.metrics.protocol === 'http/json'
          ? new OTLPMetricExporterJson({ url: settings.metrics.url, timeoutMillis: settings.metrics.timeoutMs })
          : new OTLPMetricExporterProto({ url: settings.metrics.url, timeoutMillis: settings.metrics.timeoutMs });
    return new metrics.PeriodicExportingMetricReader({
      exporter,
      exportIntervalMillis: exportIntervalMs,
      exportTimeoutMillis: exportTimeoutMs,
    });
  });
}

/** The sampler named by `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG`. */
export function kvtraceSampler(settings: RegisterSettings): tracing.Sampler {
  const { name, ratio } = settings.sampler;
  switch (name) {
    case 'always_on':
      return new tracing.AlwaysOnSampler();
    case 'always_off':
      return new tracing.AlwaysOffSampler();
    case 'traceidratio':
      return new tracing.TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_off':
      return new tracing.ParentBasedSampler({ root: new tracing.AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new tracing.ParentBasedSampler({ root: new tracing.TraceIdRatioBasedSampler(ratio) });
    default:
      return new tracing.ParentBasedSampler({ root: new tracing.AlwaysOnSampler() });
  }
}

/**
 * DESIGN.md's contract names the retry-after histogram `keyvault_retry_after_seconds_*`
 * in Prometheus, which is what Prometheus' own OTLP translation and a
 * Collector's prometheus exporter produce (unit `s` -> `_seconds`). The JS
 * exporter 0.223 appends no unit suffix, so seconds metrics get it here; other
 * units keep their names (the contract's gauge is `keyvault_throttle_utilization`).
 */
class SecondsSuffixPrometheusExporter extends PrometheusExporter {
  override async collect(options?: Parameters<PrometheusExporter['collect']>[0]): ReturnType<PrometheusExporter['collect']> {
    const result = await super.collect(options);
    try {
      for (const scope of result.resourceMetrics.scopeMetrics) {
        scope.metrics = scope.metrics.map((metric) => {
          const { name, unit } = metric.descriptor;
          if (unit !== 's' || /[._]seconds$/.test(name)) return metric;
          return { ...metric, descriptor: { ...metric.descriptor, name: `${name}_seconds` } };
        });
      }
    } catch {
      // A shape this version does not know: serve the names as they are.
    }
    return result;
  }
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}
