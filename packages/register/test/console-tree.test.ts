import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { tracing } from '@opentelemetry/sdk-node';
import { describe, expect, it } from 'vitest';
import { ConsoleTreeExporter, formatTraceTree } from '../src/console-tree.js';

const TOKEN = 'eyJhbGciOiJub25lIn0.eyJhdWQiOiJodHRwczovL3ZhdWx0LmF6dXJlLm5ldCJ9.c2lnbmF0dXJlLXNlZ21lbnQ';
const HINT =
  "The caller (oid 1111) has no 'secrets get' permission in the vault's access policy.\r\nAdd it with az keyvault set-policy.";

/** Real SDK spans: a server span with a Key Vault challenge, a fault and a token call below it. */
function recordTrace(output: string[]): void {
  const provider = new tracing.BasicTracerProvider({
    spanProcessors: [new tracing.SimpleSpanProcessor(new ConsoleTreeExporter({ write: (t) => output.push(t) }))],
  });
  const tracer = provider.getTracer('test');
  const server = tracer.startSpan('GET /reports', {
    kind: SpanKind.SERVER,
    attributes: { 'http.request.method': 'GET', 'http.route': '/reports', 'url.path': '/reports', 'url.query': 'q=1', 'http.response.status_code': 502 },
  });
  const inServer = trace.setSpan(ROOT_CONTEXT, server);
  const client = (name: string, attributes: Record<string, string | number>): Span =>
    tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, inServer);

  const challenge = client('GET', {
    'http.request.method': 'GET',
    'url.full': 'https://contoso.vault.azure.net/secrets/db-password?api-version=7.5',
    'http.response.status_code': 401,
    'keyvault.outcome': 'challenge',
    'keyvault.cause': 'challenge',
  });
  challenge.setStatus({ code: SpanStatusCode.OK });
  challenge.end();
  const token = client('POST', {
    'http.request.method': 'POST',
    // A query that must not be printed, and a header that must never be.
    'url.full': `https://login.microsoftonline.com/t/oauth2/v2.0/token?client_secret=hunter2&x=${TOKEN}`,
    'http.request.header.authorization': `Bearer ${TOKEN}`,
    'http.response.status_code': 200,
  });
  token.end();
  const denied = client('GET', {
    'http.request.method': 'GET',
    'url.full': 'https://contoso.vault.azure.net/secrets/db-password?api-version=7.5',
    'http.response.status_code': 403,
    'keyvault.outcome': 'forbidden',
    'keyvault.cause': 'access_policy',
    'keyvault.hint': HINT,
    'keyvault.token.appid': 'a-b-c',
  });
  denied.setStatus({ code: SpanStatusCode.ERROR });
  denied.end();
  server.setStatus({ code: SpanStatusCode.ERROR });
  server.end();
}

describe('ConsoleTreeExporter', () => {
  it('prints one tree per trace when the root ends, one line per span, hint on the next line', () => {
    const output: string[] = [];
    recordTrace(output);
    expect(output).toHaveLength(1);
    const lines = output[0]!.trimEnd().split('\n').map((l) => l.replace(/\d+\.\d ms/, 'N ms'));
    expect(lines[0]).toMatch(/^trace [0-9a-f]{32}$/);
    expect(lines.slice(1)).toEqual([
      '└─ SERVER GET /reports → 502 N ms ERROR',
      '   ├─ CLIENT GET https://contoso.vault.azure.net/secrets/db-password?api-version=7.5 → 401 challenge/challenge N ms OK',
      '   ├─ CLIENT POST https://login.microsoftonline.com/t/oauth2/v2.0/token → 200 N ms',
      '   └─ CLIENT GET https://contoso.vault.azure.net/secrets/db-password?api-version=7.5 → 403 forbidden/access_policy N ms ERROR',
      "         hint: The caller (oid 1111) has no 'secrets get' permission in the vault's access policy. Add it with az keyvault set-policy.",
    ]);
  });

  it('never prints a token, its signature, a query secret or an unchosen attribute', () => {
    const output: string[] = [];
    recordTrace(output);
    const text = output.join('');
    for (const secret of [TOKEN, TOKEN.split('.')[2]!, 'hunter2', 'client_secret', 'Bearer', 'a-b-c']) {
      expect(text).not.toContain(secret);
    }
  });

  it('prints spans whose root never ended on flush', async () => {
    const output: string[] = [];
    const exporter = new ConsoleTreeExporter({ write: (t) => output.push(t) });
    const provider = new tracing.BasicTracerProvider({ spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] });
    const tracer = provider.getTracer('test');
    const root = tracer.startSpan('job');
    tracer.startSpan('step', {}, trace.setSpan(ROOT_CONTEXT, root)).end();
    expect(output).toEqual([]);
    await provider.forceFlush();
    await exporter.forceFlush();
    expect(output).toHaveLength(1);
    expect(output[0]).toMatch(/^trace [0-9a-f]{32}\n└─ INTERNAL step \d+\.\d ms\n$/);
  });

  it('treats a span with a remote parent as the local root', () => {
    const spans: tracing.ReadableSpan[] = [];
    const provider = new tracing.BasicTracerProvider({
      spanProcessors: [new tracing.SimpleSpanProcessor({ export: (s, cb) => (spans.push(...s), cb({ code: 0 })), shutdown: async () => {} })],
    });
    const remote = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
      isRemote: true,
    });
    provider.getTracer('t').startSpan('incoming', { kind: SpanKind.SERVER }, remote).end();
    const out = formatTraceTree(spans);
    expect(out).toMatch(/^trace 0af7651916cd43dd8448eb211c80319c\n└─ SERVER incoming \d+\.\d ms\n$/);
  });
});

describe('ConsoleTreeExporter memory bound', () => {
  it('prints the oldest open trace once more than 1000 traces wait for their roots', () => {
    const output: string[] = [];
    const exporter = new ConsoleTreeExporter({ write: (t) => output.push(t) });
    const provider = new tracing.BasicTracerProvider({ spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] });
    const tracer = provider.getTracer('t');
    const roots: Span[] = [];
    for (let i = 0; i < 1001; i++) {
      const root = tracer.startSpan(`root-${i}`);
      roots.push(root);
      tracer.startSpan(`child-${i}`, {}, trace.setSpan(ROOT_CONTEXT, root)).end();
    }
    expect(output).toHaveLength(1);
    expect(output[0]).toContain('child-0');
    for (const r of roots) r.end();
  });
});
