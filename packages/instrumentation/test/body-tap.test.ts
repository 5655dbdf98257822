/**
 * The two hard parts, proved on both stacks with a plain local server:
 * (a) the error body is read without changing a byte of what the application
 *     reads (plain, gzip, chunked, chunked+gzip, larger than the read bound);
 * (b) what kvtrace derives from the body is on the span when it ENDS: the
 *     in-memory exporter only ever receives ended spans.
 * The http stack is driven by the Azure SDK's own Node HTTP client
 * (@azure/core-rest-pipeline's createDefaultHttpClient), the fetch stack by
 * global fetch through kvtrace's body tap.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { createDefaultHttpClient, createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstrumentations } from '../src/index.js';
import { startTelemetry } from './telemetry.js';
import type { Telemetry } from './telemetry.js';

const ACCESS_DENIED = JSON.stringify({
  error: {
    code: 'Forbidden',
    message:
      "The user, group or application 'appid=11111111-2222-3333-4444-555555555555;oid=66666666-7777-8888-9999-000000000000;iss=https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/' does not have secrets get permission on key vault 'myvault;location=eastus'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287",
    innererror: { code: 'AccessDenied' },
  },
});
/** Larger than maxBodyBytes below: the app must still read every byte. */
const LARGE = JSON.stringify({ error: { code: 'Forbidden', message: 'x'.repeat(100_000), innererror: { code: 'AccessDenied' } } });

type Framing = 'plain' | 'gzip' | 'chunked' | 'chunked-gzip' | 'large';
const FRAMINGS: Framing[] = ['plain', 'gzip', 'chunked', 'chunked-gzip', 'large'];

function bodyFor(framing: Framing): string {
  return framing === 'large' ? LARGE : ACCESS_DENIED;
}

let server: http.Server;
let origin: string;
let telemetry: Telemetry;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const framing = (req.url ?? '').split('/')[2]?.split('?')[0] as Framing | 'ok';
    const headers = { 'content-type': 'application/json; charset=utf-8', 'x-ms-request-id': `req-${framing}` };
    if (framing === 'ok') {
      const ok = JSON.stringify({ value: 's3cr3t-value', id: 'x' });
      res.writeHead(200, { ...headers, 'content-length': Buffer.byteLength(ok) }).end(ok);
      return;
    }
    const body = Buffer.from(bodyFor(framing));
    if (framing === 'plain' || framing === 'large') {
      res.writeHead(403, { ...headers, 'content-length': body.length }).end(body);
    } else if (framing === 'gzip') {
      const z = zlib.gzipSync(body);
      res.writeHead(403, { ...headers, 'content-encoding': 'gzip', 'content-length': z.length }).end(z);
    } else {
      // Chunked: no content-length, pieces spread over several event-loop turns.
      const payload = framing === 'chunked-gzip' ? zlib.gzipSync(body) : body;
      res.writeHead(403, { ...headers, ...(framing === 'chunked-gzip' && { 'content-encoding': 'gzip' }) });
      const third = Math.ceil(payload.length / 3);
      res.write(payload.subarray(0, third));
      setTimeout(() => res.write(payload.subarray(third, 2 * third)), 5);
      setTimeout(() => res.end(payload.subarray(2 * third)), 10);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  telemetry = startTelemetry(createInstrumentations({ vaultHosts: ['127.0.0.1'], maxBodyBytes: 4096 }));
});

afterAll(async () => {
  await telemetry.shutdown();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** The Azure SDK's HTTP client, asking for gzip as the SDK's pipelines do. */
async function viaAzureHttpClient(url: string): Promise<Buffer> {
  const client = createDefaultHttpClient();
  const request = createPipelineRequest({
    url,
    headers: createHttpHeaders({ 'accept-encoding': 'gzip,deflate' }),
    allowInsecureConnection: true,
  });
  const response = await client.sendRequest(request);
  return Buffer.from(response.bodyAsText ?? '', 'utf8');
}

async function viaFetch(url: string): Promise<Buffer> {
  const response = await fetch(url);
  return Buffer.from(await response.arrayBuffer());
}

const STACKS = [
  ['node:https (Azure SDK client)', viaAzureHttpClient],
  ['fetch (undici)', viaFetch],
] as const;

describe.each(STACKS)('%s', (stackName, send) => {
  it.each(FRAMINGS)('reads a %s error body byte-identically and diagnoses it before the span ends', async (framing) => {
    const path = `/secrets/${framing}?api-version=7.5&stack=${stackName.length}`;
    const read = await send(`${origin}${path}`);
    expect(read.equals(Buffer.from(bodyFor(framing)))).toBe(true);

    const spans = telemetry.clientSpans(`/secrets/${framing}?`).filter((s) => s.attributes['azure.service.request.id'] === `req-${framing}`);
    const span = spans.at(-1);
    expect(span, 'an ended client span').toBeDefined();
    expect(span?.ended).toBe(true);
    expect(span?.attributes['keyvault.error.code']).toBe('Forbidden');
    expect(span?.status.code).toBe(2);
    if (framing === 'large') {
      // Only maxBodyBytes were kept: the truncated JSON still yields the code, not what lies beyond.
      expect(span?.attributes['keyvault.error.inner_code']).toBeUndefined();
      return;
    }
    expect(span?.attributes['keyvault.error.inner_code']).toBe('AccessDenied');
    expect(span?.attributes['keyvault.cause']).toBe('access_policy');
    expect(span?.attributes['keyvault.hint']).toMatch(/secrets get/);
    expect(span?.events.find((e) => e.name === 'keyvault.diagnosis')?.attributes?.['keyvault.cause']).toBe('access_policy');
  });

  it('leaves success bodies alone and still diagnoses the call', async () => {
    const read = await send(`${origin}/secrets/ok?api-version=7.5`);
    expect(JSON.parse(read.toString()).value).toBe('s3cr3t-value');
    const span = telemetry.clientSpans('/secrets/ok?').at(-1);
    expect(span?.attributes['keyvault.outcome']).toBe('ok');
    expect(span?.attributes['keyvault.cause']).toBeUndefined();
  });
});

describe('without kvtrace', () => {
  it('the same requests read the same bytes once the instrumentations are disabled', async () => {
    const withKvtrace = await Promise.all(FRAMINGS.map((f) => viaAzureHttpClient(`${origin}/secrets/${f}?api-version=7.5`)));
    const withFetch = await Promise.all(FRAMINGS.map((f) => viaFetch(`${origin}/secrets/${f}?api-version=7.5`)));
    for (const i of telemetry.instrumentations) i.disable();
    try {
      const before = telemetry.spans.getFinishedSpans().length;
      const without = await Promise.all(FRAMINGS.map((f) => viaAzureHttpClient(`${origin}/secrets/${f}?api-version=7.5`)));
      const withoutFetch = await Promise.all(FRAMINGS.map((f) => viaFetch(`${origin}/secrets/${f}?api-version=7.5`)));
      expect(telemetry.spans.getFinishedSpans().length).toBe(before);
      without.forEach((b, i) => expect(b.equals(withKvtrace[i] as Buffer)).toBe(true));
      withoutFetch.forEach((b, i) => expect(b.equals(withFetch[i] as Buffer)).toBe(true));
    } finally {
      for (const i of telemetry.instrumentations) i.enable();
    }
  });
});
