import diagnosticsChannel from 'node:diagnostics_channel';
import type { Span } from '@opentelemetry/api';
import type { HeaderBag } from '@kvtrace/core';
import type {
  RequestHookFunction,
  ResponseHookFunction,
  UndiciRequest,
  UndiciResponse,
} from '@opentelemetry/instrumentation-undici';
import { guard, warnOnce } from './diag-log.js';
import { Enricher } from './enricher.js';
import { checkFetchBodyTap } from './fetch-tap.js';
import type { VaultCall } from './internal-types.js';
import { resolveConfig } from './options.js';
import type { KvtraceConfig } from './types.js';

/** kvtrace's hooks for `@opentelemetry/instrumentation-undici` (global fetch and undici). */
export interface KvtraceUndiciHooks {
  readonly requestHook: RequestHookFunction;
  readonly responseHook: ResponseHookFunction;
}

interface Tracked {
  readonly call: VaultCall;
  readonly enricher: Enricher;
  /** Whether the span could take attributes when the call began. */
  readonly recording: boolean;
}

/** HTTP semconv names (instrumentation-undici sets both from the raw URL). */
const ATTR_URL_PATH = 'url.path';
const ATTR_URL_QUERY = 'url.query';

/** Vault calls in flight, keyed by undici's request object (what every channel message carries). */
const inFlight = new WeakMap<object, Tracked>();
let subscribed = false;

/**
 * Hooks to give an `UndiciInstrumentation` you configure yourself. Call this
 * BEFORE constructing the instrumentation: it subscribes kvtrace to
 * `undici:request:trailers`, and channel subscribers run in subscription
 * order, so kvtrace finishes its diagnosis before the instrumentation ends the
 * span. Global fetch needs {@link installFetchBodyTap} for error bodies.
 * @example const hooks = undiciHooks(); new UndiciInstrumentation({ ...hooks });
 */
export function undiciHooks(config?: KvtraceConfig): KvtraceUndiciHooks {
  return undiciHooksFor(new Enricher(resolveConfig(config)));
}

/** @internal Hooks sharing one Enricher with the http hooks. */
export function undiciHooksFor(enricher: Enricher): KvtraceUndiciHooks {
  subscribeOnce();

  function kvtraceUndiciRequestHook(span: Span, request: UndiciRequest): void {
    guard('undici requestHook', () => {
      const origin = String(request.origin);
      const host = origin.slice(origin.indexOf('//') + 2);
      if (!enricher.isVault(host)) return;
      checkFetchBodyTap();
      const call = enricher.begin(span, {
        method: request.method,
        url: () => origin + request.path,
        authorization: () => requestHeader(request.headers, 'authorization'),
        userAgent: () => requestHeader(request.headers, 'user-agent'),
        clientRequestId: () => requestHeader(request.headers, 'x-ms-client-request-id'),
      });
      if (call === undefined) return;
      inFlight.set(request, { call, enricher, recording: span.isRecording() });
      // instrumentation-undici also records the raw path and query: keep them as redacted as url.full.
      // redactUrl returns `scheme://host/path[?api-version=...]`: split it rather than parse a URL a third time.
      const url = call.redactedUrl;
      const query = url.indexOf('?');
      const path = url.indexOf('/', url.indexOf('//') + 2);
      span.setAttributes({
        [ATTR_URL_PATH]: path < 0 ? '/' : url.slice(path, query < 0 ? undefined : query),
        [ATTR_URL_QUERY]: query < 0 ? '' : url.slice(query),
      });
    });
  }

  function kvtraceUndiciResponseHook(_span: Span, info: { request: UndiciRequest; response: UndiciResponse }): void {
    guard('undici responseHook', () => {
      const tracked = inFlight.get(info.request);
      if (tracked === undefined) return;
      tracked.enricher.respond(tracked.call, info.response.statusCode, responseHeaders(info.response.headers));
      if (tracked.call.finished) inFlight.delete(info.request);
    });
  }

  return { requestHook: kvtraceUndiciRequestHook, responseHook: kvtraceUndiciResponseHook };
}

function subscribeOnce(): void {
  if (subscribed) return;
  subscribed = true;
  diagnosticsChannel.subscribe('undici:request:bodyChunkReceived', onBodyChunk);
  diagnosticsChannel.subscribe('undici:request:trailers', onRequestDone);
  diagnosticsChannel.subscribe('undici:request:error', onRequestError);
}

/** A body chunk as undici received it (still compressed); copied, never consumed. */
function onBodyChunk(message: unknown): void {
  guard('undici body tap', () => {
    const { request, chunk } = message as { request: object; chunk: unknown };
    const tracked = inFlight.get(request);
    const body = tracked?.call.body;
    // Content-length says the body is complete: finish now, whatever the subscription order.
    if (tracked !== undefined && body !== undefined && body.add(chunk)) finish(request, tracked, true);
  });
}

/** Trailers (body complete) or error: the last moment before the instrumentation ends the span. */
function onRequestDone(message: unknown): void {
  guard('undici body tap', () => {
    const { request } = message as { request: object };
    const tracked = inFlight.get(request);
    if (tracked !== undefined) finish(request, tracked, true);
  });
}

function onRequestError(message: unknown): void {
  guard('undici body tap', () => {
    const { request } = message as { request: object };
    const tracked = inFlight.get(request);
    if (tracked !== undefined) finish(request, tracked, false);
  });
}

function finish(request: object, tracked: Tracked, complete: boolean): void {
  inFlight.delete(request);
  const { call, enricher } = tracked;
  if (call.finished) return;
  const body = call.body;
  if (complete && body !== undefined && body.received === 0 && (body.expectedLength ?? 0) > 0) {
    warnOnce(
      'fetch-body-unseen',
      'kvtrace: a Key Vault fetch error response came through a dispatcher that publishes no body chunks ' +
        '(Node\'s bundled undici 6); call installFetchBodyTap() (createInstrumentations does) for the causes that need the body.',
    );
  }
  enricher.finish(call);
  if (tracked.recording && !call.span.isRecording()) {
    warnOnce(
      'span-ended-first',
      'kvtrace: a fetch span ended before kvtrace could add its diagnosis: undiciHooks() was called after ' +
        'UndiciInstrumentation subscribed to undici:request:trailers. Create the hooks first.',
    );
  }
}

/** undici >= 6: flat `[name, value, ...]`, any casing, values string or string[]; undici 5: raw text. */
function requestHeader(headers: UndiciRequest['headers'], wanted: string): string | undefined {
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) {
      const name = headers[i];
      if (typeof name === 'string' && name.toLowerCase() === wanted) {
        const value = headers[i + 1];
        return Array.isArray(value) ? value.join(', ') : value;
      }
    }
    return undefined;
  }
  if (typeof headers === 'string') {
    for (const line of headers.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === wanted) return line.slice(colon + 1).trim();
    }
  }
  return undefined;
}

/**
 * The response headers kvtrace reads (span attributes, diagnose, body
 * capture). Only these are decoded: turning every Buffer of a response into a
 * string was the largest single cost of the fetch hooks (test/bench).
 */
const READ_HEADERS: ReadonlySet<string> = new Set([
  'x-ms-request-id',
  'x-ms-client-request-id',
  'x-ms-keyvault-region',
  'x-ms-keyvault-network-info',
  'www-authenticate',
  'retry-after',
  'retry-after-ms',
  'x-ms-retry-after-ms',
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'content-type',
]);
const READ_LENGTHS: ReadonlySet<number> = new Set([...READ_HEADERS].map((name) => name.length));

/** Response headers arrive as a flat array of Buffers; only the names kvtrace reads are decoded (never cookies). */
function responseHeaders(raw: readonly (Buffer | string)[]): HeaderBag {
  const bag: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const rawName = raw[i]!;
    // Header names are ASCII, so byte length = name length: checked before anything is decoded.
    if (!READ_LENGTHS.has(rawName.length)) continue;
    const name = String(rawName).toLowerCase();
    if (!READ_HEADERS.has(name)) continue;
    const value = String(raw[i + 1]);
    bag[name] = bag[name] === undefined ? value : `${bag[name]}, ${value}`;
  }
  return bag;
}
