/**
 * Telemetry never breaks the app: hooks fed broken requests, headers and
 * tokens do not throw and record fewer attributes; the body capture decodes
 * what it can within its bound and gives up quietly on the rest.
 */
import zlib from 'node:zlib';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Span } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { BodyCapture } from '../src/body-capture.js';
import { httpHooks, undiciHooks } from '../src/index.js';

const exporter = new InMemorySpanExporter();
const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('guards');

function withSpan(body: (span: Span) => void): ReadableSpan {
  const span = tracer.startSpan('GET');
  body(span);
  span.end();
  return exporter.getFinishedSpans().at(-1) as ReadableSpan;
}

const throwing = new Proxy({}, { get: () => { throw new Error('boom'); } });

describe('http hooks', () => {
  const hooks = httpHooks();

  it('survive a request whose every property throws, and a response that is not one', () => {
    withSpan((span) => {
      expect(() => hooks.requestHook(span, throwing as never)).not.toThrow();
      expect(() => hooks.responseHook(span, throwing as never)).not.toThrow();
    });
  });

  it('record an undecodable token as present and opaque, never its text', () => {
    const request = {
      host: 'myvault.vault.azure.net',
      protocol: 'https:',
      path: '/secrets/a?api-version=7.5',
      method: 'GET',
      getHeader: (name: string) => (name === 'authorization' ? 'Bearer not-a-jwt.%%%.zzz' : undefined),
    };
    const span = withSpan((s) => hooks.requestHook(s, request as never));
    expect(span.attributes['keyvault.token.present']).toBe(true);
    expect(span.attributes['keyvault.token.format']).toBe('opaque');
    expect(span.attributes['keyvault.token.aud']).toBeUndefined();
    expect(JSON.stringify(span.attributes)).not.toContain('not-a-jwt');
    expect(span.attributes['url.full']).toBe('https://myvault.vault.azure.net/secrets/a?api-version=7.5');
  });

  it('ignore server-side requests (no getHeader)', () => {
    const span = withSpan((s) => hooks.requestHook(s, { headers: { host: 'myvault.vault.azure.net' } } as never));
    expect(Object.keys(span.attributes)).toEqual([]);
  });
});

describe('copied headers', () => {
  it.each(['x-ms-request-id', 'x-ms-keyvault-region', 'x-ms-client-request-id'])('a 40 KB %s becomes a 256-char attribute', (name) => {
    const hooks = undiciHooks();
    const request = { origin: 'https://myvault.vault.azure.net', method: 'GET', path: '/secrets/a?api-version=7.5', headers: [] };
    const span = withSpan((s) => {
      hooks.requestHook(s, request as never);
      hooks.responseHook(s, { request: request as never, response: { headers: [Buffer.from(name), Buffer.from('r'.repeat(40_000))], statusCode: 200, statusText: 'OK' } });
    });
    const value = Object.values(span.attributes).find((v) => typeof v === 'string' && v.startsWith('rrr'));
    expect(value).toBe('r'.repeat(256));
  });
});

describe('undici hooks', () => {
  const hooks = undiciHooks();

  it.each([
    ['no origin', { method: 'GET', path: '/secrets/a', headers: [] }],
    ['headers of the wrong types', { origin: 'https://myvault.vault.azure.net', method: 'GET', path: '/secrets/a', headers: [1, {}, null] }],
    ['a throwing request', throwing],
  ])('survive %s', (_name, request) => {
    withSpan((span) => {
      expect(() => hooks.requestHook(span, request as never)).not.toThrow();
      expect(() => hooks.responseHook(span, { request: request as never, response: { headers: [null, 5] as never, statusCode: 401, statusText: '' } })).not.toThrow();
    });
  });

  it('read headers in any casing, including string[] values', () => {
    const request = {
      origin: 'https://myvault.vault.azure.net',
      method: 'GET',
      path: '/secrets/a?api-version=7.5&x=secret',
      headers: ['User-Agent', 'my-app/1.0', 'X-MS-Client-Request-Id', ['abc-123']],
    };
    const span = withSpan((s) => hooks.requestHook(s, request as never));
    expect(span.attributes['keyvault.token.present']).toBe(false);
    expect(span.attributes['keyvault.client_request_id']).toBe('abc-123');
    expect(span.attributes['url.query']).toBe('?api-version=7.5');
  });
});

describe('BodyCapture', () => {
  const text = JSON.stringify({ error: { code: 'Throttled', message: 'Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached' } });

  it.each([
    ['gzip', zlib.gzipSync(text)],
    ['deflate', zlib.deflateSync(text)],
    ['deflate', zlib.deflateRawSync(text)],
    ['br', zlib.brotliCompressSync(text)],
    ['identity', Buffer.from(text)],
    [undefined, Buffer.from(text)],
  ])('decodes %s in chunks, and knows when content-length is reached', (encoding, bytes) => {
    const capture = new BodyCapture(16_384, encoding, bytes.length);
    expect(capture.add(bytes.subarray(0, 7))).toBe(false);
    expect(capture.add(new Uint8Array(bytes.subarray(7)))).toBe(true);
    expect(capture.text()).toBe(text);
  });

  it('keeps at most maxBytes of a large plain body', () => {
    const capture = new BodyCapture(100, undefined, undefined);
    capture.add(Buffer.alloc(10_000, 'a'));
    expect(capture.received).toBe(10_000);
    expect(capture.text()).toBe('a'.repeat(100));
  });

  it('gives up on a decompression bomb instead of inflating it', () => {
    const bomb = zlib.gzipSync(Buffer.alloc(5_000_000));
    const capture = new BodyCapture(16_384, 'gzip', bomb.length);
    capture.add(bomb);
    expect(capture.text()).toBeUndefined();
  });

  it('yields a prefix of a truncated gzip stream, and nothing for an unknown coding or garbage', () => {
    const gz = zlib.gzipSync(text);
    const truncated = new BodyCapture(16_384, 'gzip', undefined);
    truncated.add(gz.subarray(0, gz.length - 12));
    expect(text.startsWith(truncated.text() ?? 'no')).toBe(true);
    const unknown = new BodyCapture(16_384, 'zstd', undefined);
    unknown.add(Buffer.from('abc'));
    expect(unknown.text()).toBeUndefined();
    const garbage = new BodyCapture(16_384, 'gzip', undefined);
    garbage.add(Buffer.from('not gzip at all'));
    expect(garbage.text()).toBeUndefined();
  });
});
