import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import type { HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import type { UndiciInstrumentationConfig } from '@opentelemetry/instrumentation-undici';
import { composeHooks } from './compose-hooks.js';
import { warnOnce } from './diag-log.js';
import { Enricher } from './enricher.js';
import { installFetchBodyTap } from './fetch-tap.js';
import { httpHooksFor } from './http-hooks.js';
import { resolveConfig } from './options.js';
import type { KvtraceConfig } from './types.js';
import { undiciHooksFor } from './undici-hooks.js';

/** Configuration of the two instrumentations themselves; their hooks run before kvtrace's. */
export interface InstrumentationOptions {
  readonly http?: HttpInstrumentationConfig;
  readonly undici?: UndiciInstrumentationConfig;
}

/**
 * An `HttpInstrumentation` (the Azure SDK's node:https path) and an
 * `UndiciInstrumentation` (fetch) carrying kvtrace's hooks, plus the fetch
 * body tap. Give them to `NodeSDK({ instrumentations })` or
 * `registerInstrumentations`.
 * @example new NodeSDK({ instrumentations: createInstrumentations({ vaultHosts: ['kv.internal'] }) }).start();
 */
export function createInstrumentations(config?: KvtraceConfig, options: InstrumentationOptions = {}): Instrumentation[] {
  const enricher = new Enricher(resolveConfig(config));
  warnIfAzureSdkSuppressesHttpSpans();
  installFetchBodyTap();
  const http = httpHooksFor(enricher);
  // Built before UndiciInstrumentation so that kvtrace's channel subscribers run first.
  const undici = undiciHooksFor(enricher);
  const userHttp = options.http ?? {};
  const userUndici = options.undici ?? {};
  return [
    new HttpInstrumentation({
      ...userHttp,
      requestHook: composeHooks(userHttp.requestHook, http.requestHook),
      responseHook: composeHooks(userHttp.responseHook, http.responseHook),
    }),
    new UndiciInstrumentation({
      ...userUndici,
      requestHook: composeHooks(userUndici.requestHook, undici.requestHook),
      responseHook: composeHooks(userUndici.responseHook, undici.responseHook),
    }),
  ];
}

/**
 * With AZURE_HTTP_TRACING_DISABLED, @azure/opentelemetry-instrumentation-azure-sdk
 * suppresses tracing below the SDK's own spans: no HTTP span exists for
 * kvtrace to enrich, and Azure SDK calls go unexplained. Said once, at setup.
 */
export function warnIfAzureSdkSuppressesHttpSpans(): void {
  const value = process.env['AZURE_HTTP_TRACING_DISABLED'];
  if (value === undefined || value === '' || value === '0' || value.toLowerCase() === 'false') return;
  warnOnce(
    'azure-http-tracing-disabled',
    'kvtrace: AZURE_HTTP_TRACING_DISABLED is set; with @azure/opentelemetry-instrumentation-azure-sdk active, ' +
      'the Azure SDK suppresses the HTTP client spans kvtrace enriches, so its Key Vault calls carry no keyvault.* ' +
      'attributes and no metrics. Unset it to keep them.',
  );
}
