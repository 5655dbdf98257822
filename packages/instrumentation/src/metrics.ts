import { metrics, ValueType } from '@opentelemetry/api';
import type { Attributes, Counter, Histogram, MeterProvider } from '@opentelemetry/api';
import {
  METRIC_KEYVAULT_REQUESTS,
  METRIC_KEYVAULT_REQUESTS_UNIT,
  METRIC_KEYVAULT_RETRY_AFTER,
  METRIC_KEYVAULT_RETRY_AFTER_UNIT,
  METRIC_KEYVAULT_THROTTLE_UTILIZATION,
  METRIC_KEYVAULT_THROTTLE_UTILIZATION_UNIT,
  ATTR_KEYVAULT_VAULT_NAME,
  ThrottleMeter,
} from '@kvtrace/core';

const SCOPE = '@kvtrace/instrumentation';

/**
 * The process's share of each vault's budget is one number per process,
 * whichever hooks (http or fetch, one config or several) saw the call.
 */
export const throttleMeter = new ThrottleMeter();

export interface KvtraceInstruments {
  readonly requests: Counter;
  readonly retryAfter: Histogram;
}

const byProvider = new WeakMap<MeterProvider, KvtraceInstruments>();

/**
 * Instruments of the given provider, else of the global one as it is now: an
 * SDK started after kvtrace's hooks were built still receives the metrics
 * (the metrics API has no proxy provider, unlike the trace API).
 */
export function instrumentsFor(provider: MeterProvider | undefined): KvtraceInstruments {
  const p = provider ?? metrics.getMeterProvider();
  const known = byProvider.get(p);
  if (known !== undefined) return known;
  const meter = p.getMeter(SCOPE);
  const created: KvtraceInstruments = {
    requests: meter.createCounter(METRIC_KEYVAULT_REQUESTS, {
      unit: METRIC_KEYVAULT_REQUESTS_UNIT,
      description: 'Key Vault requests by vault, operation, status, outcome and cause.',
      valueType: ValueType.INT,
    }),
    retryAfter: meter.createHistogram(METRIC_KEYVAULT_RETRY_AFTER, {
      unit: METRIC_KEYVAULT_RETRY_AFTER_UNIT,
      description: 'Delay Key Vault asked for before a retry (Retry-After and its ms variants).',
      advice: { explicitBucketBoundaries: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300] },
    }),
  };
  // Observed at collection time so that the gauge decays as the 10 s window slides.
  meter
    .createObservableGauge(METRIC_KEYVAULT_THROTTLE_UTILIZATION, {
      unit: METRIC_KEYVAULT_THROTTLE_UTILIZATION_UNIT,
      description: "This process's weighted share of each vault's 10-second service limit (1 = used up).",
    })
    .addCallback((result) => {
      const now = Date.now();
      // The meter bounds its vaults (LRU), and so the gauge's series.
      for (const vault of throttleMeter.vaultNames()) {
        const attributes: Attributes = { [ATTR_KEYVAULT_VAULT_NAME]: vault };
        result.observe(throttleMeter.utilization(vault, now), attributes);
      }
    });
  byProvider.set(p, created);
  return created;
}
