import type { MeterProvider } from '@opentelemetry/api';

/** Options of every kvtrace entry point; all optional. */
export interface KvtraceConfig {
  /** Extra hosts to treat as vaults (exact host names, e.g. a private endpoint alias or a local fake vault). */
  readonly vaultHosts?: readonly string[];
  /** Record `keyvault.object.name` and keep the name in `url.full` (default `true`; `false` drops the attribute and masks the name). */
  readonly recordObjectNames?: boolean;
  /** Status of the Azure SDK's 401 handshake span (default `'ok'`, so it never counts as an error). */
  readonly challengeSpanStatus?: 'ok' | 'error';
  /** Most error-body bytes read per response, compressed and decompressed (default 16384). */
  readonly maxBodyBytes?: number;
  /** Clock skew allowed when judging `exp`/`nbf`, seconds (default: core's, 300). */
  readonly clockSkewS?: number;
  /** Decoded-claims cache entries (default 1000). */
  readonly claimsCacheSize?: number;
  /** Where the `keyvault.*` metrics go (default: the global MeterProvider, looked up at record time). */
  readonly meterProvider?: MeterProvider;
}
