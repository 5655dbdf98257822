import type { MeterProvider, Span } from '@opentelemetry/api';
import type { HeaderBag, TokenClaims, VaultEndpoint } from '@kvtrace/core';
import type { BodyCapture } from './body-capture.js';

/** KvtraceConfig after validation and defaults. */
export interface ResolvedConfig {
  readonly vaultHosts: readonly string[];
  readonly recordObjectNames: boolean;
  readonly challengeSpanStatus: 'ok' | 'error';
  readonly maxBodyBytes: number;
  readonly claimsCacheSize: number;
  readonly clockSkewS?: number;
  readonly meterProvider?: MeterProvider;
}

/**
 * What kvtrace keeps about one vault call between the request hook and the
 * span's end. Holds decoded claims only: never the Authorization value.
 */
export interface VaultCall {
  readonly span: Span;
  readonly endpoint: VaultEndpoint;
  readonly method: string;
  /** The request URL as it may be recorded (core's redactUrl). */
  readonly redactedUrl: string;
  readonly claims: TokenClaims;
  readonly userAgent: string | undefined;
  /** Epoch ms at the request hook: the time the token was judged against. */
  readonly sentAt: number;
  status?: number;
  headers?: HeaderBag;
  /** Present while an error body is being read. */
  body?: BodyCapture;
  finished: boolean;
}
