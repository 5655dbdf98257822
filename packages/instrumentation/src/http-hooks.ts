import { errorMonitor } from 'node:events';
import type { ClientRequest, IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Span } from '@opentelemetry/api';
import type { HeaderBag } from '@kvtrace/core';
import type { HttpRequestCustomAttributeFunction, HttpResponseCustomAttributeFunction } from '@opentelemetry/instrumentation-http';
import { guard, warnOnce } from './diag-log.js';
import { Enricher } from './enricher.js';
import type { VaultCall } from './internal-types.js';
import { resolveConfig } from './options.js';
import type { KvtraceConfig } from './types.js';

/** kvtrace's hooks for `@opentelemetry/instrumentation-http` (node:http/https: the Azure SDK's path). */
export interface KvtraceHttpHooks {
  readonly requestHook: HttpRequestCustomAttributeFunction;
  readonly responseHook: HttpResponseCustomAttributeFunction;
}

/**
 * Hooks to give an `HttpInstrumentation` you configure yourself; compose them
 * with your own through {@link composeHooks}.
 * @example new HttpInstrumentation({ ...httpHooks({ recordObjectNames: false }) })
 */
export function httpHooks(config?: KvtraceConfig): KvtraceHttpHooks {
  const enricher = new Enricher(resolveConfig(config));
  warnIfAzureSdkSuppressesHttpSpans();
  return httpHooksFor(enricher);
}

/** @internal Hooks sharing one Enricher with the fetch hooks. */
export function httpHooksFor(enricher: Enricher): KvtraceHttpHooks {
  // The same span object reaches both hooks of one client request.
  const calls = new WeakMap<Span, VaultCall>();

  function kvtraceHttpRequestHook(span: Span, request: ClientRequest | IncomingMessage): void {
    guard('http requestHook', () => {
      // Server spans get an IncomingMessage here; only client requests have getHeader.
      if (typeof (request as Partial<ClientRequest>).getHeader !== 'function') return;
      const req = request as ClientRequest;
      if (typeof req.host !== 'string' || !enricher.isVault(req.host)) return;
      const call = enricher.begin(span, {
        method: req.method,
        url: () => `${req.protocol}//${headerText(req.getHeader('host')) ?? req.host}${req.path}`,
        authorization: () => headerText(req.getHeader('authorization')),
        userAgent: () => headerText(req.getHeader('user-agent')),
        clientRequestId: () => headerText(req.getHeader('x-ms-client-request-id')),
      });
      if (call !== undefined) calls.set(span, call);
    });
  }

  function kvtraceHttpResponseHook(span: Span, response: IncomingMessage | ServerResponse): void {
    guard('http responseHook', () => {
      const call = calls.get(span);
      if (call === undefined) return;
      calls.delete(span);
      const res = response as IncomingMessage;
      enricher.respond(call, res.statusCode ?? 0, headerBag(res.headers));
      if (call.body !== undefined) tapBody(res, call, enricher);
    });
  }

  return { requestHook: kvtraceHttpRequestHook, responseHook: kvtraceHttpResponseHook };
}

/**
 * Observes an error body without consuming it. Listening to 'data' would put
 * the stream in flowing mode before the Azure SDK attaches its reader (and
 * hangs it); wrapping this instance's `push` sees each chunk the HTTP parser
 * hands over, passes it on unchanged and synchronously, and sees `push(null)`
 * before 'end', on which instrumentation-http ends the span.
 */
function tapBody(response: IncomingMessage, call: VaultCall, enricher: Enricher): void {
  const hadOwnPush = Object.hasOwn(response, 'push');
  const originalPush = response.push;
  const tappedPush = function kvtracePush(this: IncomingMessage, chunk: unknown, encoding?: BufferEncoding): boolean {
    guard('http body tap', () => {
      if (chunk === null) {
        // The body is complete; restore the prototype's push before handing over the end.
        if (response.push === tappedPush) {
          if (hadOwnPush) response.push = originalPush;
          else Reflect.deleteProperty(response, 'push');
        }
        enricher.finish(call);
      } else if (call.body?.add(chunk) === true) {
        enricher.finish(call);
      }
    });
    return originalPush.call(this, chunk, encoding);
  };
  response.push = tappedPush;
  // A response that fails mid-body ends its span through errorMonitor; this
  // listener, added before instrumentation-http's, diagnoses what was read.
  // errorMonitor listeners do not count as 'error' handlers: nothing changes for the app.
  response.once(errorMonitor, () => guard('http body tap', () => enricher.finish(call)));
}

function headerText(value: number | string | readonly string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

function headerBag(headers: IncomingHttpHeaders): HeaderBag {
  const bag: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    // Cookies are never needed for a diagnosis, so they never enter kvtrace.
    if (name === 'set-cookie' || value === undefined) continue;
    bag[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return bag;
}

/**
 * @azure/opentelemetry-instrumentation-azure-sdk 1.0 suppresses tracing below
 * the SDK's own HTTP span when AZURE_HTTP_TRACING_CHILDREN_DISABLED is set
 * (instrumenter.js startSpan): then no HTTP client span exists for kvtrace to
 * enrich, and Azure SDK calls go unexplained. AZURE_HTTP_TRACING_DISABLED, the
 * name older guidance (and kvtrace 0.1) used, is not read by 1.0: it changes
 * nothing, which is worth saying to whoever set it expecting an effect. Said
 * once per variable, at setup.
 */
export function warnIfAzureSdkSuppressesHttpSpans(): void {
  if (azureFlag('AZURE_HTTP_TRACING_CHILDREN_DISABLED')) {
    warnOnce(
      'azure-http-tracing-children-disabled',
      'kvtrace: AZURE_HTTP_TRACING_CHILDREN_DISABLED is set; with @azure/opentelemetry-instrumentation-azure-sdk active, ' +
        'the Azure SDK suppresses the HTTP client spans kvtrace enriches, so its Key Vault calls carry no keyvault.* ' +
        'attributes and no metrics. Unset it to keep them.',
    );
  }
  if (azureFlag('AZURE_HTTP_TRACING_DISABLED')) {
    warnOnce(
      'azure-http-tracing-disabled',
      'kvtrace: AZURE_HTTP_TRACING_DISABLED is set, but @azure/opentelemetry-instrumentation-azure-sdk 1.0 does not read it ' +
        '(its variable is AZURE_HTTP_TRACING_CHILDREN_DISABLED), so it has no effect there: the HTTP client spans under ' +
        'the Azure SDK stay, and kvtrace keeps explaining them.',
    );
  }
}

/** True as the Azure package reads its variables (configuration.js envVarToBoolean): set, not "", "0" or "false". */
function azureFlag(name: string): boolean {
  const value = (process.env[name] ?? process.env[name.toLowerCase()] ?? '').toLowerCase();
  return value !== '' && value !== '0' && value !== 'false';
}
