import { diag } from '@opentelemetry/api';

/** kvtrace's voice in OpenTelemetry's diag logger (silent unless the app sets one up). */
export const log = diag.createComponentLogger({ namespace: '@kvtrace/instrumentation' });

const warned = new Set<string>();

/** Says a thing once per process: a misconfiguration repeats on every call, the warning need not. */
export function warnOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  log.warn(message);
}

/**
 * Runs a hook body so that telemetry never breaks the app: a throw becomes a
 * debug line and a missing attribute (the shape of OTel's safeExecuteInTheMiddle).
 */
export function guard<T>(what: string, body: () => T): T | undefined {
  try {
    return body();
  } catch (error) {
    log.debug(`${what} failed; the span gets fewer attributes`, error);
    return undefined;
  }
}
