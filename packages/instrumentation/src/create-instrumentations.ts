import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import type { HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import type { UndiciInstrumentationConfig } from '@opentelemetry/instrumentation-undici';
import { composeHooks } from './compose-hooks.js';
import { Enricher } from './enricher.js';
import { installFetchBodyTap } from './fetch-tap.js';
import { httpHooksFor, warnIfAzureSdkSuppressesHttpSpans } from './http-hooks.js';
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
  const http = httpHooksFor(enricher);
  // Built before UndiciInstrumentation so that kvtrace's channel subscribers run first.
  const undici = undiciHooksFor(enricher);
  const userHttp = options.http ?? {};
  const userUndici = options.undici ?? {};
  const httpInstrumentation = new HttpInstrumentation({
    ...userHttp,
    requestHook: composeHooks(userHttp.requestHook, http.requestHook),
    responseHook: composeHooks(userHttp.responseHook, http.responseHook),
  });
  // Only now: the tap loads undici, which requires node:http, and
  // require-in-the-middle runs its hooks once per module, so with any other
  // instrumentation built earlier in the process an HttpInstrumentation built
  // after this load would never patch node:http.
  installFetchBodyTap();
  return [
    httpInstrumentation,
    new UndiciInstrumentation({
      ...userUndici,
      requestHook: composeHooks(userUndici.requestHook, undici.requestHook),
      responseHook: composeHooks(userUndici.responseHook, undici.responseHook),
    }),
  ];
}
