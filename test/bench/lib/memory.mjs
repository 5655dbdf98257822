// Memory: many vault calls with many distinct tokens through kvtrace, heap
// after GC before and after. Two modes:
// - `hooks` (default): kvtrace's own undici hooks, as variant C runs them,
//   driven directly with a real undici request and response captured from a
//   real fetch to fake-vault (cloned per call with that call's token), real
//   spans from the bench's TracerProvider, real metrics. Everything kvtrace
//   keeps is exercised; undici and the socket are not (they are not kvtrace's).
// - `http`: real fetch calls through variant C to fake-vault, with tokens
//   minted by its issuer (RS256: ~2 ms each, so 20,000 cost ~40 s alone).
import { setImmediate as tick } from 'node:timers/promises';
import { SpanKind, trace } from '@opentelemetry/api';
import { captureRealExchange, entraShapedToken, withAuthorization } from './exchange.mjs';

const MB = 2 ** 20;

export async function runMemory(o) {
  return o.memoryMode === 'http' ? runOverHttp(o) : runThroughHooks(o);
}

async function runThroughHooks({ inst, clients, otel, memoryCalls, memoryTokens }) {
  const { request, response } = await captureRealExchange(inst, clients.fetchVault);
  const { requestHook, responseHook } = inst.kvtraceUndiciHooks;
  const tokens = Array.from({ length: memoryTokens }, (_, i) => `Bearer ${entraShapedToken(i)}`);
  const tracer = trace.getTracer('kvtrace-bench-memory');
  const one = (i) => {
    const req = withAuthorization(request, tokens[i % tokens.length]);
    const span = tracer.startSpan('GET', { kind: SpanKind.CLIENT });
    requestHook(span, req);
    responseHook(span, { request: req, response });
    span.end();
    return span;
  };
  // Warm-up (JIT, metric series, the claims cache filled), then the measured run.
  for (let i = 0; i < Math.min(5000, memoryCalls); i++) one(i);
  const kvtraceSpansBefore = otel.exporter.kvtraceSpans;
  const before = await settledHeap(otel);
  const started = Date.now();
  let peak = before;
  for (let i = 0; i < memoryCalls; i++) {
    one(i);
    // Let the BatchSpanProcessor export as it would between requests.
    if ((i & 511) === 511) await tick();
    if (i % 20_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
  }
  const seconds = (Date.now() - started) / 1000;
  const after = await settledHeap(otel);
  const kvtraceSpans = otel.exporter.kvtraceSpans - kvtraceSpansBefore;
  if (kvtraceSpans === 0) throw new Error('bench: the memory run produced no kvtrace spans');
  return summary('hooks', memoryCalls, memoryTokens, seconds, before, after, peak, {
    kvtraceSpansExported: kvtraceSpans,
    note: 'kvtrace undici hooks driven directly (real undici request/response from a fake-vault fetch, real spans and metrics)',
  });
}

async function runOverHttp({ inst, clients, otel, vault, memoryCalls, memoryTokens, memoryConcurrency }) {
  const mintStarted = Date.now();
  const tokens = [];
  while (tokens.length < memoryTokens) tokens.push(...(await vault.mint(Math.min(500, memoryTokens - tokens.length))));
  const mintSeconds = (Date.now() - mintStarted) / 1000;
  inst.kvtraceFetch.enable();
  try {
    const call = (i) => clients.fetchVault(`Bearer ${tokens[i % tokens.length]}`);
    await inParallel(Math.min(2000, memoryCalls), memoryConcurrency, call);
    const before = await settledHeap(otel);
    const started = Date.now();
    let peak = before;
    await inParallel(memoryCalls, memoryConcurrency, async (i) => {
      await call(i);
      if (i % 20_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    });
    const seconds = (Date.now() - started) / 1000;
    const after = await settledHeap(otel);
    return summary('http', memoryCalls, memoryTokens, seconds, before, after, peak, {
      mintSeconds,
      concurrency: memoryConcurrency,
      note: `real fetch through kvtrace to fake-vault, ${memoryConcurrency} in flight; minting the tokens took ${mintSeconds.toFixed(1)} s`,
    });
  } finally {
    inst.kvtraceFetch.disable();
  }
}

function summary(mode, calls, tokens, seconds, before, after, peak, extra) {
  return {
    mode,
    calls,
    tokens,
    seconds,
    callsPerSecond: Math.round(calls / seconds),
    heapBeforeMB: before / MB,
    heapAfterMB: after / MB,
    heapPeakMB: peak / MB,
    heapGrowthMB: (after - before) / MB,
    ...extra,
  };
}

/** heapUsed after exporting what is queued and collecting until the figure settles. */
async function settledHeap(otel) {
  await otel.flush();
  let last = Infinity;
  for (let i = 0; i < 5; i++) {
    await tick();
    globalThis.gc();
    const used = process.memoryUsage().heapUsed;
    if (Math.abs(last - used) < 64 * 1024) return used;
    last = used;
  }
  return last;
}

async function inParallel(count, concurrency, fn) {
  let next = 0;
  const worker = async () => {
    while (next < count) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}
