/**
 * OpenTelemetry's diag logger, installed before kvtrace's instrumentations
 * are created. They say their setup findings once, through diag, as they are
 * built (e.g. AZURE_HTTP_TRACING_CHILDREN_DISABLED hiding the Azure SDK's HTTP
 * spans); NodeSDK 0.223 installs its console logger from `OTEL_LOG_LEVEL` only
 * in its constructor, which register calls after building them, and installs
 * none at all when the variable is unset. Without this, those warnings went to
 * the no-op logger and were never said.
 */
import { diag, DiagConsoleLogger, DiagLogLevel } from '@opentelemetry/api';
import type { Environment } from './env.js';

/** The names NodeSDK accepts (core's diagLogLevelFromString), upper-cased. */
const LEVELS: Readonly<Record<string, DiagLogLevel>> = {
  NONE: DiagLogLevel.NONE,
  ERROR: DiagLogLevel.ERROR,
  WARN: DiagLogLevel.WARN,
  INFO: DiagLogLevel.INFO,
  DEBUG: DiagLogLevel.DEBUG,
  VERBOSE: DiagLogLevel.VERBOSE,
  ALL: DiagLogLevel.ALL,
};

/** Where @opentelemetry/api 1.x keeps its globals (internal/global-utils.js); `diag` is set once a logger is. */
const API_GLOBAL = Symbol.for('opentelemetry.js.api.1');

/**
 * Installs a `DiagConsoleLogger` at `OTEL_LOG_LEVEL` (default `warn`) unless
 * a diag logger is already set (the app's own, before a programmatic start()).
 * Returns the function to call just before `new NodeSDK()`.
 */
export function installDiagLogger(env: Environment, warn: (message: string) => void): () => void {
  if (hasDiagLogger()) return () => {};
  const raw = env['OTEL_LOG_LEVEL']?.trim();
  let logLevel = DiagLogLevel.WARN;
  if (raw !== undefined && raw !== '') {
    const named = LEVELS[raw.toUpperCase()];
    // NodeSDK falls back to INFO for a name it does not know; say so, and agree with it.
    if (named === undefined) warn(`kvtrace: OTEL_LOG_LEVEL=${JSON.stringify(raw)} is not valid (expected one of ${Object.keys(LEVELS).join(', ')}); using INFO.`);
    logLevel = named ?? DiagLogLevel.INFO;
  }
  diag.setLogger(new DiagConsoleLogger(), { logLevel });
  return () => {
    // NodeSDK's constructor calls diag.setLogger itself when OTEL_LOG_LEVEL is
    // set in process.env, at the same level; handing over an empty slot keeps
    // it from logging "Current logger will be overwritten" with a stack trace.
    if (process.env['OTEL_LOG_LEVEL']?.trim()) diag.disable();
  };
}

function hasDiagLogger(): boolean {
  const api = (globalThis as Record<symbol, { diag?: unknown } | undefined>)[API_GLOBAL];
  return api?.diag !== undefined;
}
