import type { KvtraceConfig } from './types.js';
import type { ResolvedConfig } from './internal-types.js';

const DEFAULT_MAX_BODY_BYTES = 16_384;
const DEFAULT_CLAIMS_CACHE_SIZE = 1000;

/** Validates the options once, at setup, so that request time never has to. */
export function resolveConfig(config: KvtraceConfig = {}): ResolvedConfig {
  if (config === null || typeof config !== 'object') {
    throw new TypeError('kvtrace: config must be an object');
  }
  const { vaultHosts = [], recordObjectNames = true, challengeSpanStatus = 'ok' } = config;
  if (!Array.isArray(vaultHosts) || !vaultHosts.every((h) => typeof h === 'string' && h.length > 0)) {
    throw new TypeError('kvtrace: vaultHosts must be an array of non-empty host names');
  }
  if (typeof recordObjectNames !== 'boolean') {
    throw new TypeError('kvtrace: recordObjectNames must be a boolean');
  }
  if (challengeSpanStatus !== 'ok' && challengeSpanStatus !== 'error') {
    throw new TypeError("kvtrace: challengeSpanStatus must be 'ok' or 'error'");
  }
  const maxBodyBytes = positiveInteger(config.maxBodyBytes, DEFAULT_MAX_BODY_BYTES, 'maxBodyBytes');
  const claimsCacheSize = positiveInteger(config.claimsCacheSize, DEFAULT_CLAIMS_CACHE_SIZE, 'claimsCacheSize');
  if (config.clockSkewS !== undefined && !(Number.isFinite(config.clockSkewS) && config.clockSkewS >= 0)) {
    throw new TypeError('kvtrace: clockSkewS must be a finite number of seconds >= 0');
  }
  const meterProvider = config.meterProvider;
  if (meterProvider !== undefined && typeof meterProvider?.getMeter !== 'function') {
    throw new TypeError('kvtrace: meterProvider must be an OpenTelemetry MeterProvider');
  }
  return {
    vaultHosts: vaultHosts.map((h) => h.toLowerCase()),
    recordObjectNames,
    challengeSpanStatus,
    maxBodyBytes,
    claimsCacheSize,
    ...(config.clockSkewS !== undefined ? { clockSkewS: config.clockSkewS } : {}),
    ...(meterProvider !== undefined ? { meterProvider } : {}),
  };
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) {
    throw new TypeError(`kvtrace: ${name} must be a positive integer`);
  }
  return value;
}
