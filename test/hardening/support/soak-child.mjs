// The soak, run as `node --expose-gc --import @kvtrace/fake-vault/resolve
// --import @kvtrace/register soak-child.mjs` so heap figures are this
// process's alone (fake-vault and the OTLP receiver live in the parent).
//
// TOTAL vault calls in two phases, one sequence of checkpoints:
//   real:   for REAL_MS, real loopback HTTPS calls (SecretClient with the
//           app's credential, fetch with rotating tokens: minted ones and
//           unsigned look-alikes), 8 at a time, against a vault throttling
//           by the service limits (429 + Retry-After windows);
//   driven: the rest through kvtrace's own hooks (httpHooks / undiciHooks),
//           with real spans from register's tracer provider, real
//           IncomingMessage objects whose bodies are pushed chunk by chunk,
//           undici's diagnostics channels published as undici does, a
//           distinct token per call and 429 bursts.
// At 10 %, 50 % and 100 % it prints heap after two full GCs and
// process.getActiveResourcesInfo() counts as JSON lines.
import diagnosticsChannel from 'node:diagnostics_channel';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { SpanKind, trace } from '@opentelemetry/api';
import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { httpHooks, undiciHooks } from '@kvtrace/instrumentation';

const TOTAL = Number(process.env.SOAK_TOTAL);
const REAL_MS = Number(process.env.SOAK_REAL_MS);
const VALID_TOKENS = JSON.parse(process.env.SOAK_TOKENS);
const vaultUrl = process.env.KVTRACE_FAKE_VAULT_URL;
const marks = [0.1, 0.5, 1].map((f) => Math.round(TOTAL * f));
let done = 0;
const counts = { real: 0, realSdk: 0, realFetch: 0, driven: 0, statuses: {} };

function checkpoint() {
  while (marks.length > 0 && done >= marks[0]) {
    marks.shift();
    global.gc();
    global.gc();
    const resources = {};
    for (const r of process.getActiveResourcesInfo()) resources[r] = (resources[r] ?? 0) + 1;
    process.stdout.write(`${JSON.stringify({ mark: done, heapUsed: process.memoryUsage().heapUsed, resources, counts })}\n`);
  }
}

const fakeToken = (i) =>
  [
    Buffer.from('{"alg":"RS256","typ":"JWT"}').toString('base64url'),
    Buffer.from(JSON.stringify({ aud: 'https://vault.azure.net', tid: `t-${i % 7}`, oid: `o-${i}`, exp: Math.floor(Date.now() / 1000) + (i % 3 === 0 ? -60 : 3600), n: i })).toString('base64url'),
    randomBytes(256).toString('base64url'),
  ].join('.');
const note = (status) => (counts.statuses[status] = (counts.statuses[status] ?? 0) + 1);

// --- real phase ---------------------------------------------------------------
const credential = new ClientSecretCredential(process.env.AZURE_TENANT_ID, process.env.AZURE_CLIENT_ID, process.env.AZURE_CLIENT_SECRET, {
  authorityHost: process.env.AZURE_AUTHORITY_HOST,
  disableInstanceDiscovery: true,
});
// No retries: a 429 with Retry-After would otherwise park the worker.
const client = new SecretClient(vaultUrl, credential, { retryOptions: { maxRetries: 0 } });
const realUntil = Date.now() + REAL_MS;
async function worker(w) {
  for (let i = w; Date.now() < realUntil && done < TOTAL; i += 8) {
    if (i % 2 === 0) {
      counts.realSdk += 1;
      await client.getSecret('soak').then(() => note(200), (e) => note(e.statusCode ?? 'error'));
    } else {
      counts.realFetch += 1;
      const token = i % 4 === 1 ? VALID_TOKENS[i % VALID_TOKENS.length] : fakeToken(i);
      const res = await fetch(`${vaultUrl}/secrets/soak?api-version=7.5`, { headers: { authorization: `Bearer ${token}` } });
      await res.arrayBuffer();
      note(res.status);
    }
    counts.real += 1;
    done += 1;
    checkpoint();
  }
}
await Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));

// --- driven phase -------------------------------------------------------------
const tracer = trace.getTracer('kvtrace-soak');
const http = httpHooks();
const undici = undiciHooks();
const bodyChunk = diagnosticsChannel.channel('undici:request:bodyChunkReceived');
const trailers = diagnosticsChannel.channel('undici:request:trailers');
const BODIES = {
  401: JSON.stringify({ error: { code: 'Unauthorized', message: "[TokenExpired] Error validating token: 'S2S12086'." } }),
  403: JSON.stringify({ error: { code: 'Forbidden', message: "The user, group or application 'appid=a;oid=o;iss=i' does not have secrets get permission on key vault 'v;location=eastus'.", innererror: { code: 'AccessDenied' } } }),
  429: JSON.stringify({ error: { code: 'Throttled', message: 'Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached' } }),
};
const statusFor = (i) => (i % 1000 < 50 ? 429 : [200, 200, 200, 401, 403][i % 5]);

function respHeaders(status, i) {
  const h = { 'content-type': 'application/json; charset=utf-8', 'x-ms-request-id': `r-${i}`, 'x-ms-keyvault-region': 'eastus', 'x-ms-keyvault-network-info': 'conn_type=Ipv4;addr=10.0.0.1;act_addr_fam=InterNetwork;' };
  if (status === 429) h['retry-after'] = String(1 + (i % 9));
  if (status === 401) h['www-authenticate'] = 'Bearer authorization="https://login.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47", resource="https://vault.azure.net"';
  return h;
}

function drivenHttp(i, vault, status, token) {
  const span = tracer.startSpan('GET', { kind: SpanKind.CLIENT });
  const headers = { authorization: `Bearer ${token}`, 'user-agent': 'azsdk-js-keyvault-secrets/4.11.2' };
  http.requestHook(span, { host: `${vault}.vault.azure.net`, method: 'GET', protocol: 'https:', path: `/secrets/s${i % 50}?api-version=7.5`, getHeader: (n) => headers[n] });
  const res = new IncomingMessage(new Socket());
  res.statusCode = status;
  res.headers = respHeaders(status, i);
  http.responseHook(span, res);
  res.resume();
  if (BODIES[status]) res.push(Buffer.from(BODIES[status]));
  res.push(null);
  span.end();
}

function drivenFetch(i, vault, status, token) {
  const span = tracer.startSpan('GET', { kind: SpanKind.CLIENT });
  const request = { origin: `https://${vault}.vault.azure.net`, method: 'GET', path: `/secrets/s${i % 50}?api-version=7.5`, headers: ['authorization', `Bearer ${token}`, 'user-agent', 'node'] };
  undici.requestHook(span, request);
  const raw = Object.entries(respHeaders(status, i)).flatMap(([k, v]) => [Buffer.from(k), Buffer.from(v)]);
  undici.responseHook(span, { request, response: { statusCode: status, statusText: '', headers: raw } });
  if (BODIES[status]) bodyChunk.publish({ request, chunk: Buffer.from(BODIES[status]) });
  trailers.publish({ request, trailers: [] });
  span.end();
}

for (let i = 0; done < TOTAL; i++) {
  const status = statusFor(i);
  const vault = `soak${i % 20}`;
  (i % 2 === 0 ? drivenHttp : drivenFetch)(i, vault, status, fakeToken(i));
  note(status);
  counts.driven += 1;
  done += 1;
  checkpoint();
  // Let exporters, timers and stream callbacks run, as they would between real calls.
  if (i % 500 === 0) await new Promise((r) => setImmediate(r));
}
process.stdout.write(`${JSON.stringify({ finished: true, counts })}\n`);
