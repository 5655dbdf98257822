/**
 * Reads the standard `OTEL_*` variables (and kvtrace's own `KVTRACE_*`) into
 * settings. NodeSDK stops reading most of them as soon as span processors are
 * passed to it, so register reads them itself. Pure: takes the environment as
 * an argument and returns warnings instead of printing them, so that a bad
 * value costs a warning and a documented fallback, never a crashed app.
 */

export type TracesExporterName = 'otlp' | 'console';
export type MetricsExporterName = 'otlp' | 'prometheus' | 'console';
export type OtlpProtocol = 'http/protobuf' | 'http/json';
export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

/** The kvtrace options that can come from `KVTRACE_*` variables (a subset of `KvtraceConfig`). */
export interface KvtraceEnvConfig {
  vaultHosts?: string[];
  recordObjectNames?: boolean;
  challengeSpanStatus?: 'ok' | 'error';
  maxBodyBytes?: number;
  clockSkewS?: number;
  claimsCacheSize?: number;
}

export interface OtlpSettings {
  /** Full URL of the signal's path, e.g. `http://localhost:4318/v1/traces`. */
  url: string;
  protocol: OtlpProtocol;
  /** Longest time one export may take, retries included (`OTEL_EXPORTER_OTLP_<SIGNAL>_TIMEOUT`, then `OTEL_EXPORTER_OTLP_TIMEOUT`). */
  timeoutMs: number;
}

/** Everything register needs to build the SDK, resolved from the environment. */
export interface RegisterSettings {
  /** `OTEL_SDK_DISABLED=true`: start nothing. */
  disabled: boolean;
  serviceName: string | undefined;
  /** Empty when `OTEL_TRACES_EXPORTER=none`. */
  tracesExporters: TracesExporterName[];
  /** Empty when `OTEL_METRICS_EXPORTER=none`. */
  metricsExporters: MetricsExporterName[];
  traces: OtlpSettings;
  metrics: OtlpSettings & { exportIntervalMs: number; exportTimeoutMs: number };
  /** `host` undefined: the Prometheus exporter's own default (all interfaces). */
  prometheus: { host: string | undefined; port: number };
  sampler: { name: SamplerName; ratio: number };
  kvtrace: KvtraceEnvConfig;
}

export interface ReadSettingsResult {
  settings: RegisterSettings;
  /** One sentence per ignored value, naming the variable and the fallback used. */
  warnings: string[];
}

export type Environment = Readonly<Record<string, string | undefined>>;

const DEFAULT_OTLP_BASE = 'http://localhost:4318';
const DEFAULT_PROMETHEUS_PORT = 9464;
const DEFAULT_EXPORT_INTERVAL_MS = 60_000;
const DEFAULT_EXPORT_TIMEOUT_MS = 30_000;
/**
 * kvtrace's default OTLP export timeout, retries included; the spec's is 10 s.
 * otlp-exporter-base 0.223 schedules its retries on ref'd timers, so with the
 * collector down an app that has finished its work stays alive for an
 * in-flight export's retries and then for the exit flush's: measured 15-19 s
 * past the app's last call at 10 s, 7 s at 5 s. A collector beside the app
 * answers in milliseconds.
 */
export const DEFAULT_OTLP_TIMEOUT_MS = 5000;
const SAMPLERS: readonly SamplerName[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

/**
 * Resolves register's settings from an environment.
 *
 * @example
 * const { settings, warnings } = readSettings(process.env);
 * for (const w of warnings) console.warn(w);
 */
export function readSettings(env: Environment): ReadSettingsResult {
  const warnings: string[] = [];
  const read = new Reader(env, warnings);

  const tracesExporters = read.exporterList('OTEL_TRACES_EXPORTER', ['otlp', 'console'] as const, 'otlp');
  const metricsExporters = read.exporterList(
    'OTEL_METRICS_EXPORTER',
    ['otlp', 'prometheus', 'console'] as const,
    'otlp',
  );
  const exportIntervalMs = read.positiveInt('OTEL_METRIC_EXPORT_INTERVAL', DEFAULT_EXPORT_INTERVAL_MS);
  // PeriodicExportingMetricReader throws when the timeout exceeds the interval.
  const exportTimeoutMs = Math.min(
    read.positiveInt('OTEL_METRIC_EXPORT_TIMEOUT', DEFAULT_EXPORT_TIMEOUT_MS),
    exportIntervalMs,
  );

  const settings: RegisterSettings = {
    disabled: read.boolean('OTEL_SDK_DISABLED', false),
    serviceName: read.string('OTEL_SERVICE_NAME'),
    tracesExporters,
    metricsExporters,
    traces: read.otlp('TRACES', 'v1/traces'),
    metrics: { ...read.otlp('METRICS', 'v1/metrics'), exportIntervalMs, exportTimeoutMs },
    prometheus: {
      host: read.string('OTEL_EXPORTER_PROMETHEUS_HOST'),
      port: read.port('OTEL_EXPORTER_PROMETHEUS_PORT', DEFAULT_PROMETHEUS_PORT),
    },
    sampler: read.sampler(),
    kvtrace: read.kvtrace(),
  };
  return { settings, warnings };
}

class Reader {
  constructor(
    private readonly env: Environment,
    private readonly warnings: string[],
  ) {}

  /** The trimmed value, or undefined when unset or empty (the spec treats empty as unset). */
  string(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  warn(name: string, value: string, expected: string, fallback: string): void {
    this.warnings.push(`kvtrace: ${name}=${JSON.stringify(value)} is not valid (${expected}); using ${fallback}.`);
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.string(name);
    if (value === undefined) return fallback;
    const lower = value.toLowerCase();
    if (lower === 'true' || lower === '1') return true;
    if (lower === 'false' || lower === '0') return false;
    this.warn(name, value, 'expected true or false', String(fallback));
    return fallback;
  }

  positiveInt(name: string, fallback: number): number {
    const value = this.string(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (Number.isInteger(n) && n > 0) return n;
    this.warn(name, value, 'expected a positive integer', String(fallback));
    return fallback;
  }

  port(name: string, fallback: number): number {
    const value = this.string(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (Number.isInteger(n) && n >= 0 && n <= 65_535) return n;
    this.warn(name, value, 'expected a port number 0-65535', String(fallback));
    return fallback;
  }

  /** A comma list such as `otlp,console`; `none` anywhere switches the signal off. */
  exporterList<T extends string>(name: string, supported: readonly T[], fallback: T): T[] {
    const value = this.string(name);
    if (value === undefined) return [fallback];
    const items = value
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter((s) => s !== '');
    if (items.includes('none')) return [];
    const chosen: T[] = [];
    for (const item of items) {
      if ((supported as readonly string[]).includes(item)) {
        if (!chosen.includes(item as T)) chosen.push(item as T);
      } else {
        this.warnings.push(
          `kvtrace: ${name} value ${JSON.stringify(item)} is not supported (supported: ${supported.join(', ')}, none); ignoring it.`,
        );
      }
    }
    if (chosen.length === 0) {
      this.warnings.push(`kvtrace: ${name}=${JSON.stringify(value)} names no supported exporter; using ${fallback}.`);
      return [fallback];
    }
    return chosen;
  }

  /**
   * The OTLP/HTTP URL and protocol of one signal: the signal-specific endpoint
   * is used as is; the generic one gets `/v1/<signal>` appended (OTLP exporter spec).
   */
  otlp(signal: 'TRACES' | 'METRICS', path: string): OtlpSettings {
    const protocolName = this.string(`OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`) !== undefined
      ? `OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`
      : 'OTEL_EXPORTER_OTLP_PROTOCOL';
    const rawProtocol = this.string(protocolName);
    let protocol: OtlpProtocol = 'http/protobuf';
    if (rawProtocol === 'http/json' || rawProtocol === 'http/protobuf') {
      protocol = rawProtocol;
    } else if (rawProtocol !== undefined) {
      this.warn(protocolName, rawProtocol, 'kvtrace supports http/protobuf and http/json', 'http/protobuf');
    }

    const specificName = `OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`;
    const specific = this.string(specificName);
    if (specific !== undefined) {
      if (isHttpUrl(specific)) return { url: specific, protocol, timeoutMs: this.otlpTimeout(signal) };
      this.warn(specificName, specific, 'expected an http(s) URL', 'the generic endpoint');
    }
    const generic = this.string('OTEL_EXPORTER_OTLP_ENDPOINT');
    let base = DEFAULT_OTLP_BASE;
    if (generic !== undefined) {
      if (isHttpUrl(generic)) base = generic;
      else this.warn('OTEL_EXPORTER_OTLP_ENDPOINT', generic, 'expected an http(s) URL', DEFAULT_OTLP_BASE);
    }
    return { url: `${base.replace(/\/+$/, '')}/${path}`, protocol, timeoutMs: this.otlpTimeout(signal) };
  }

  /** Register passes the timeout explicitly (it would otherwise win over the exporter's own reading of these variables). */
  private otlpTimeout(signal: 'TRACES' | 'METRICS'): number {
    const specific = `OTEL_EXPORTER_OTLP_${signal}_TIMEOUT`;
    const name = this.string(specific) !== undefined ? specific : 'OTEL_EXPORTER_OTLP_TIMEOUT';
    return this.positiveInt(name, DEFAULT_OTLP_TIMEOUT_MS);
  }

  sampler(): { name: SamplerName; ratio: number } {
    const rawName = this.string('OTEL_TRACES_SAMPLER');
    let name: SamplerName = 'parentbased_always_on';
    if (rawName !== undefined) {
      const lower = rawName.toLowerCase();
      if ((SAMPLERS as readonly string[]).includes(lower)) name = lower as SamplerName;
      else this.warn('OTEL_TRACES_SAMPLER', rawName, `supported: ${SAMPLERS.join(', ')}`, name);
    }
    let ratio = 1;
    const rawArg = this.string('OTEL_TRACES_SAMPLER_ARG');
    if (rawArg !== undefined && name.endsWith('traceidratio')) {
      const n = Number(rawArg);
      if (Number.isFinite(n) && n >= 0 && n <= 1) ratio = n;
      else this.warn('OTEL_TRACES_SAMPLER_ARG', rawArg, 'expected a ratio between 0 and 1', '1');
    }
    return { name, ratio };
  }

  kvtrace(): KvtraceEnvConfig {
    const config: KvtraceEnvConfig = {};
    const hosts = this.string('KVTRACE_VAULT_HOSTS');
    if (hosts !== undefined) {
      config.vaultHosts = hosts
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter((h) => h !== '');
    }
    if (this.string('KVTRACE_RECORD_OBJECT_NAMES') !== undefined) {
      config.recordObjectNames = this.boolean('KVTRACE_RECORD_OBJECT_NAMES', true);
    }
    const status = this.string('KVTRACE_CHALLENGE_SPAN_STATUS');
    if (status !== undefined) {
      const lower = status.toLowerCase();
      if (lower === 'ok' || lower === 'error') config.challengeSpanStatus = lower;
      else this.warn('KVTRACE_CHALLENGE_SPAN_STATUS', status, 'expected ok or error', 'ok');
    }
    const maxBody = this.optionalInt('KVTRACE_MAX_BODY_BYTES', 1, 'a positive integer');
    if (maxBody !== undefined) config.maxBodyBytes = maxBody;
    const skew = this.optionalInt('KVTRACE_CLOCK_SKEW_S', 0, 'an integer >= 0');
    if (skew !== undefined) config.clockSkewS = skew;
    const cache = this.optionalInt('KVTRACE_CLAIMS_CACHE_SIZE', 1, 'a positive integer');
    if (cache !== undefined) config.claimsCacheSize = cache;
    return config;
  }

  private optionalInt(name: string, min: number, expected: string): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const n = Number(value);
    if (Number.isInteger(n) && n >= min) return n;
    this.warn(name, value, `expected ${expected}`, 'the default');
    return undefined;
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
