/**
 * Transparency: an app sees the same bytes with and without kvtrace, and the
 * vault sees the same request. A loopback server answering as
 * `tx.vault.azure.net` (a vault host, so every kvtrace hook and both body
 * taps are active) serves 200 and 4xx bodies, a gzip body, a chunked body, a
 * 1 MB body, a 1 MB chunked error body (past kvtrace's body limit) and a
 * response aborted mid-body; the same app runs once plain and once under
 * `--import @kvtrace/register`, through node:http and through fetch. Status,
 * headers, every body byte and the errors must be identical, and the server
 * must receive identical request headers and bodies (traceparent aside: the
 * HTTP instrumentations add it).
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { OtlpReceiver } from '../support/otlp-receiver.js';

const TEST_DIR = fileURLToPath(new URL('..', import.meta.url));
const MB = randomBytes(1024 * 1024);
const POLICY = JSON.stringify({
  error: {
    code: 'Forbidden',
    message:
      "The user, group or application 'appid=1;oid=2;iss=3' does not have secrets get permission on key vault 'tx;location=eastus'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287",
    innererror: { code: 'AccessDenied' },
  },
});
const THROTTLED = JSON.stringify({ error: { code: 'Throttled', message: 'Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached' } });
const UNAUTHORIZED = JSON.stringify({ error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } });
const PUT_BODY = randomBytes(64 * 1024);

const REQUEST_HEADERS = {
  authorization: `Bearer eyJhbGciOiJSUzI1NiJ9.${Buffer.from('{"aud":"https://vault.azure.net"}').toString('base64url')}.${randomBytes(64).toString('base64url')}`,
  'x-ms-client-request-id': '7c0e6a6e-6d4a-4f5e-9b1a-2f4a9e3c1d00',
  'x-app': 'Mixed-Case Value',
  cookie: 'session=abc',
  accept: 'application/json',
};
const CASES = [
  { id: 'ok', method: 'GET', path: '/secrets/ok?api-version=7.5' },
  { id: 'policy403', method: 'GET', path: '/secrets/policy?api-version=7.5' },
  { id: 'gzip429', method: 'GET', path: '/secrets/gzip?api-version=7.5', headers: { 'accept-encoding': 'gzip' } },
  { id: 'chunked401', method: 'GET', path: '/secrets/chunked?api-version=7.5' },
  { id: 'big200', method: 'GET', path: '/secrets/big?api-version=7.5' },
  { id: 'big500', method: 'GET', path: '/secrets/big500?api-version=7.5' },
  { id: 'aborted', method: 'GET', path: '/secrets/aborted?api-version=7.5' },
  { id: 'put', method: 'PUT', path: '/secrets/put?api-version=7.5', body: PUT_BODY.toString('base64') },
].map((c) => ({ ...c, headers: { ...REQUEST_HEADERS, ...c.headers } }));

interface Received {
  headers: string[];
  bodySha: string;
}
const received = new Map<string, Received[]>();
let server: Server;
let receiver: OtlpReceiver;
let target = '';

function answer(id: string, res: import('node:http').ServerResponse): void {
  res.sendDate = false;
  const common = { 'x-ms-request-id': '2f1e0d9c-8b7a-4c6d-9e5f-0a1b2c3d4e5f', 'x-ms-keyvault-region': 'eastus', 'content-type': 'application/json; charset=utf-8' };
  const send = (status: number, body: Buffer | string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { ...common, 'content-length': String(Buffer.byteLength(body)), ...headers });
    res.end(body);
  };
  switch (id) {
    case 'ok':
      return send(200, JSON.stringify({ value: 'not-a-real-secret', id: 'https://tx.vault.azure.net/secrets/ok/1' }));
    case 'policy403':
      return send(403, POLICY);
    case 'gzip429':
      return send(429, gzipSync(THROTTLED), { 'content-encoding': 'gzip', 'retry-after': '3' });
    case 'chunked401':
      res.writeHead(401, { ...common, 'www-authenticate': 'Bearer authorization="https://login.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47", resource="https://vault.azure.net"' });
      res.write(UNAUTHORIZED.slice(0, 10));
      res.write(UNAUTHORIZED.slice(10, 40));
      return void res.end(UNAUTHORIZED.slice(40));
    case 'big200':
      return send(200, MB, { 'content-type': 'application/octet-stream' });
    case 'big500':
      res.writeHead(500, common);
      for (let i = 0; i < 16; i++) res.write(MB.subarray(i * 65536, (i + 1) * 65536));
      return void res.end();
    case 'aborted':
      res.writeHead(503, { ...common, 'content-length': String(MB.length) });
      res.write(MB.subarray(0, 300_000));
      return void setTimeout(() => res.socket?.destroy(), 50);
    default:
      return send(201, JSON.stringify({ sha: received.get(`${id}`)?.at(-1)?.bodySha ?? '' }));
  }
}

function runApp(withKvtrace: boolean): Promise<Record<string, unknown>> {
  const args = ['--import', '@kvtrace/fake-vault/resolve', ...(withKvtrace ? ['--import', '@kvtrace/register'] : []), 'hardening/support/transparency-app.mjs'];
  const child = spawn(process.execPath, args, {
    cwd: TEST_DIR,
    env: {
      PATH: process.env.PATH,
      KVTRACE_FAKE_VAULT_RESOLVE: '1',
      TARGET: target,
      CASES: JSON.stringify(CASES),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_METRICS_EXPORTER: 'none',
    },
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => (out += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (err += t));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Record<string, unknown>) : reject(new Error(`app exited ${code}: ${err}`)))),
  );
}

let without: Record<string, unknown>;
let withKv: Record<string, unknown>;
const receivedWithout = new Map<string, Received>();
const receivedWith = new Map<string, Received>();

beforeAll(async () => {
  receiver = await OtlpReceiver.start();
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const key = String(req.headers['x-case']);
      const list = received.get(key) ?? [];
      list.push({ headers: req.rawHeaders, bodySha: createHash('sha256').update(Buffer.concat(chunks)).digest('hex') });
      received.set(key, list);
      answer(key.split('/')[0]!, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  target = `http://tx.vault.azure.net:${(server.address() as AddressInfo).port}`;
  without = await runApp(false);
  for (const [k, v] of received) receivedWithout.set(k, v.at(-1)!);
  received.clear();
  withKv = await runApp(true);
  for (const [k, v] of received) receivedWith.set(k, v.at(-1)!);
  await receiver.waitFor(() => receiver.spans().some((s) => s.attributes['keyvault.cause'] === 'access_policy'), 10_000, 'kvtrace spans');
}, 90_000);

afterAll(async () => {
  server?.closeAllConnections();
  server?.close();
  await receiver?.close();
});

test('kvtrace was active: diagnosed spans from both stacks, bodies read for the causes', () => {
  const spans = receiver.spans().filter((s) => s.attributes['keyvault.vault.name'] === 'tx');
  const causes = spans.map((s) => `${s.scope.includes('undici') ? 'fetch' : 'http'}:${String(s.attributes['keyvault.cause'])}`);
  for (const stack of ['http', 'fetch']) {
    expect(causes).toContain(`${stack}:access_policy`);
    expect(causes).toContain(`${stack}:throttled`);
  }
  const errors = ['aborted/http', 'aborted/fetch'].map((k) => `${k} -> ${(withKv[k] as { error?: string }).error}`);
  console.log(`[hardening] transparency: ${CASES.length} cases x 2 stacks, ${spans.length} vault spans; causes ${[...new Set(causes)].join(' ')}; ${errors.join('; ')}`);
});

test.each(CASES.flatMap((c) => [`${c.id}/http`, `${c.id}/fetch`]))('%s: the app reads identical status, headers, body bytes and errors', (key) => {
  const a = without[key] as { body: string; error?: string };
  const b = withKv[key] as { body: string; error?: string };
  expect(a).toBeDefined();
  expect(b).toEqual(a);
  if (key.startsWith('big')) expect(Buffer.from(b.body, 'base64').length).toBeGreaterThanOrEqual(MB.length);
  if (key.startsWith('aborted')) expect(b.error ?? '').not.toBe('');
});

test.each(CASES.flatMap((c) => [`${c.id}/http`, `${c.id}/fetch`]))('%s: the vault receives identical request headers and body (traceparent aside)', (key) => {
  const strip = (h: string[]): string[][] => {
    const pairs: string[][] = [];
    for (let i = 0; i < h.length; i += 2) if (h[i]!.toLowerCase() !== 'traceparent') pairs.push([h[i]!, h[i + 1]!]);
    return pairs;
  };
  const a = receivedWithout.get(key)!;
  const b = receivedWith.get(key)!;
  expect(strip(b.headers)).toEqual(strip(a.headers));
  expect(b.bodySha).toBe(a.bodySha);
  expect(b.headers.map((h) => h.toLowerCase())).toContain('traceparent');
});
