import { diag, DiagLogLevel } from '@opentelemetry/api';

/** Collects what reaches OpenTelemetry's diag logger at WARN and above. */
export function captureDiagWarnings(): string[] {
  const warnings: string[] = [];
  const record = (message: string, ...args: unknown[]) => warnings.push([message, ...args.map(String)].join(' '));
  diag.setLogger(
    { error: record, warn: record, info: () => {}, debug: () => {}, verbose: () => {} },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  return warnings;
}
