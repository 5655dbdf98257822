/**
 * Programmatic start-up (`@kvtrace/register/start`): the same NodeSDK that
 * `node --import @kvtrace/register` starts, for apps that want the handle,
 * options in code, or to build their own SDK from kvtrace's parts.
 */
import { createInstrumentations, type KvtraceConfig } from '@kvtrace/instrumentation';
import { NodeSDK, type NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import { installDiagLogger } from './diag-logger.js';
import { readSettings, type Environment, type RegisterSettings } from './env.js';
import { registerEsmHook } from './esm-hook.js';
import { installExitHooks } from './exit-hooks.js';
import { kvtraceMetricReaders, kvtraceSampler, kvtraceSpanProcessors } from './exporters.js';

export { readSettings } from './env.js';
export type {
  Environment,
  KvtraceEnvConfig,
  MetricsExporterName,
  OtlpProtocol,
  OtlpSettings,
  ReadSettingsResult,
  RegisterSettings,
  SamplerName,
  TracesExporterName,
} from './env.js';
export { ConsoleTreeExporter, consoleTreeProcessor, formatSpanLine, formatTraceTree } from './console-tree.js';
export type { ConsoleTreeExporterOptions } from './console-tree.js';
export { kvtraceMetricReaders, kvtraceSampler, kvtraceSpanProcessors } from './exporters.js';
export type { ProcessorOptions, ReaderWarning } from './exporters.js';
export { installExitHooks } from './exit-hooks.js';
export type { ExitHookActions, ExitHookOptions } from './exit-hooks.js';
export { ESM_HOOKED_MODULES, registerEsmHook } from './esm-hook.js';
export type { KvtraceConfig } from '@kvtrace/instrumentation';

export interface StartOptions {
  /** Variables to read instead of `process.env`. */
  env?: Environment;
  /** kvtrace options; they override the `KVTRACE_*` variables. */
  kvtrace?: KvtraceConfig;
  /** Extra NodeSDK options (resource, views, more instrumentations...); they override what the environment gave. */
  sdk?: Partial<NodeSDKConfiguration>;
  /** Flush on `beforeExit` and on SIGTERM/SIGINT (default `true`). */
  exitHooks?: boolean;
  /** Register the ESM loader hook so ES modules' node:http(s) imports are traced (default `true`). */
  esmHook?: boolean;
  /** Longest wait for the flush on exit or signal, ms (default 5000). */
  shutdownTimeoutMs?: number;
  /** Receives configuration warnings (default `console.warn`). */
  warn?: (message: string) => void;
}

/** What {@link start} returns. */
export interface KvtraceHandle {
  readonly sdk: NodeSDK;
  readonly settings: RegisterSettings;
  /** Exports buffered spans and metrics now; the SDK keeps running. */
  forceFlush(): Promise<void>;
  /** Exports what is buffered and stops the SDK; later calls return the same promise. */
  shutdown(): Promise<void>;
}

const HANDLE = Symbol.for('kvtrace.register.handle');

/**
 * Starts a NodeSDK with kvtrace's HTTP and fetch instrumentations, configured
 * from the `OTEL_*` and `KVTRACE_*` variables. Idempotent: a second call (or a
 * call after `--import @kvtrace/register`) returns the running handle.
 *
 * @example
 * import { start } from '@kvtrace/register/start';
 * const kvtrace = start({ kvtrace: { recordObjectNames: false } });
 * process.on('SIGTERM', async () => { await server.close(); await kvtrace.shutdown(); process.exit(0); });
 */
export function start(options: StartOptions = {}): KvtraceHandle {
  validate(options);
  const g = globalThis as Record<symbol, KvtraceHandle | undefined>;
  const warn = options.warn ?? ((message: string) => console.warn(message));
  const running = g[HANDLE];
  if (running !== undefined) {
    const ignored = Object.keys(options).filter((k) => k !== 'warn');
    if (ignored.length > 0) {
      warn(`kvtrace: already started (by --import/--require @kvtrace/register or an earlier start()); ignoring options ${ignored.join(', ')}.`);
    }
    return running;
  }

  const env = options.env ?? process.env;
  const { settings, warnings } = readSettings(env);
  for (const message of warnings) warn(message);

  if (settings.disabled) {
    const handle = makeHandle(new NodeSDK({ spanProcessors: [], metricReaders: [] }), settings, [], [], warn);
    g[HANDLE] = handle;
    return handle;
  }

  // Before the instrumentations: they say their setup findings through diag as they are created.
  const handOverDiag = installDiagLogger(env, warn);
  // Throws a TypeError naming the option when options.kvtrace is malformed: a setup error, before any hook is in.
  const instrumentations = createInstrumentations({ ...settings.kvtrace, ...options.kvtrace });
  if (options.esmHook !== false) {
    const problem = registerEsmHook();
    if (problem !== undefined) warn(problem);
  }
  const spanProcessors = kvtraceSpanProcessors(settings);
  const metricReaders = kvtraceMetricReaders(settings, warn);
  handOverDiag();
  const sdk = new NodeSDK({
    ...(settings.serviceName !== undefined && { serviceName: settings.serviceName }),
    sampler: kvtraceSampler(settings),
    spanProcessors,
    metricReaders,
    ...options.sdk,
    instrumentations: [...instrumentations, ...(options.sdk?.instrumentations ?? [])],
  });
  sdk.start();

  const handle = makeHandle(sdk, settings, spanProcessors, metricReaders, warn);
  if (options.exitHooks !== false) {
    installExitHooks({ flush: handle.forceFlush, shutdown: handle.shutdown }, options.shutdownTimeoutMs === undefined ? {} : { timeoutMs: options.shutdownTimeoutMs });
  }
  g[HANDLE] = handle;
  return handle;
}

function makeHandle(
  sdk: NodeSDK,
  settings: RegisterSettings,
  spanProcessors: ReadonlyArray<{ forceFlush(): Promise<void> }>,
  metricReaders: ReadonlyArray<{ forceFlush(): Promise<void> }>,
  warn: (message: string) => void,
): KvtraceHandle {
  let stopping: Promise<void> | undefined;
  return {
    sdk,
    settings,
    forceFlush: () =>
      Promise.all([...spanProcessors, ...metricReaders].map((p) => p.forceFlush())).then(
        () => undefined,
        (error: unknown) => warn(`kvtrace: flush failed (${describe(error)}).`),
      ),
    shutdown: () =>
      (stopping ??= sdk.shutdown().catch((error: unknown) => warn(`kvtrace: shutdown failed (${describe(error)}).`))),
  };
}

function validate(options: StartOptions): void {
  if (options === null || typeof options !== 'object') throw new TypeError('kvtrace: start options must be an object');
  if (options.env !== undefined && (options.env === null || typeof options.env !== 'object')) {
    throw new TypeError('kvtrace: options.env must be an object of strings');
  }
  const t = options.shutdownTimeoutMs;
  if (t !== undefined && !(Number.isFinite(t) && t >= 0)) {
    throw new TypeError('kvtrace: options.shutdownTimeoutMs must be a number of milliseconds >= 0');
  }
  if (options.warn !== undefined && typeof options.warn !== 'function') {
    throw new TypeError('kvtrace: options.warn must be a function');
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
