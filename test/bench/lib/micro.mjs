// ns/op: core's own micro-benchmark (packages/core/bench/micro.mjs, its cases
// and its ns/op, run as it is and read from its output), plus what kvtrace's
// undici hooks cost per request, driven with a real undici request/response.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SpanKind, trace } from '@opentelemetry/api';
import { captureRealExchange, captureRealHttpExchange } from './exchange.mjs';

const CORE_MICRO = fileURLToPath(new URL('../../../packages/core/bench/micro.mjs', import.meta.url));

export async function runMicro({ inst, clients, coreMicro: withCore }) {
  const rows = [...(withCore ? await coreMicro() : []), ...(await hookMicro(inst, clients))];
  const cpu = (pattern) => rows.find((r) => pattern.test(r.name))?.cpuNs;
  const diagnoses = rows.filter((r) => /^diagnose/.test(r.name)).map((r) => r.cpuNs);
  return {
    rows,
    claimsCacheHitNs: cpu(/^ClaimsCache\.get hit \(fresh/),
    claimsCacheMissNs: cpu(/^ClaimsCache\.get miss/),
    diagnoseNs: diagnoses.length > 0 ? Math.max(...diagnoses) : undefined,
    urlRecognitionVaultNs: cpu(/^parseVaultUrl vault/),
    urlRecognitionOtherNs: cpu(/^parseVaultUrl non-vault/),
    hookNonVaultNs: cpu(/^kvtrace undici hooks, non-vault/),
    hookVaultNs: cpu(/^kvtrace undici hooks, vault/),
    httpHookNonVaultNs: cpu(/^kvtrace http hooks, non-vault/),
    httpHookVaultNs: cpu(/^kvtrace http hooks, vault/),
  };
}

/** Runs core's script in its own process (it measures on import) and reads its `name  N ns/op wall  M ns/op cpu` lines. */
async function coreMicro() {
  if (!existsSync(CORE_MICRO)) throw new Error(`bench: ${CORE_MICRO} is missing (core's micro-benchmark)`);
  const child = spawn(process.execPath, [CORE_MICRO], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  const code = await new Promise((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`bench: core's micro-benchmark exited with ${code}`);
  const rows = [];
  for (const line of out.split('\n')) {
    const m = /^(.+?)\s+(\d+) ns\/op wall\s+(\d+) ns\/op cpu\s*$/.exec(line);
    if (m) rows.push({ name: m[1].trim(), wallNs: Number(m[2]), cpuNs: Number(m[3]), source: 'packages/core/bench/micro.mjs' });
  }
  if (rows.length === 0) throw new Error(`bench: no ns/op lines in core's micro-benchmark output:\n${out}`);
  return rows;
}

/**
 * requestHook + responseHook of variants C and F on a real span, for a non-vault
 * request (the host check every request pays) and a 200 vault call (URL
 * parse, cached claims, attributes, diagnosis, metrics). Span creation and
 * end are timed alone and subtracted: they are the stock instrumentation's.
 */
async function hookMicro(inst, clients) {
  const vault = await captureRealExchange(inst, () => clients.fetchVault());
  const other = await captureRealExchange(inst, () => clients.fetchNonVault());
  const { requestHook, responseHook } = inst.kvtraceUndiciHooks;
  const tracer = trace.getTracer('kvtrace-bench-micro');
  const withHooks = ({ request, response }) => () => {
    const span = tracer.startSpan('GET', { kind: SpanKind.CLIENT });
    requestHook(span, request);
    responseHook(span, { request, response });
    span.end();
  };
  const httpVault = await captureRealHttpExchange(inst, () => clients.getSecret());
  const httpOther = await captureRealHttpExchange(inst, () => clients.httpNonVault());
  const withHttpHooks = ({ request, response, hooks }) => () => {
    const span = tracer.startSpan('GET', { kind: SpanKind.CLIENT });
    hooks.requestHook(span, request);
    hooks.responseHook(span, response);
    span.end();
  };
  const spanOnly = () => tracer.startSpan('GET', { kind: SpanKind.CLIENT }).end();
  const base = measure(spanOnly, 50_000);
  const rows = [];
  for (const [name, fn, n] of [
    ['kvtrace undici hooks, non-vault request', withHooks(other), 50_000],
    ['kvtrace undici hooks, vault 200 (cached claims)', withHooks(vault), 20_000],
    ['kvtrace http hooks, non-vault request', withHttpHooks(httpOther), 50_000],
    ['kvtrace http hooks, vault 200 (cached claims)', withHttpHooks(httpVault), 20_000],
  ]) {
    const m = measure(fn, n);
    rows.push({ name, wallNs: Math.round(m.wall - base.wall), cpuNs: Math.round(m.cpu - base.cpu), source: 'test/bench' });
  }
  return rows;
}

/** Median of 5 rounds after a warm-up; the BatchSpanProcessor drops what overflows its queue, as it would under load. */
function measure(fn, iterations) {
  for (let i = 0; i < Math.min(iterations, 5000); i++) fn();
  const wall = [];
  const cpu = [];
  for (let r = 0; r < 5; r++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    wall.push(Number(process.hrtime.bigint() - t0) / iterations);
    const c = process.cpuUsage(c0);
    cpu.push(((c.user + c.system) * 1000) / iterations);
  }
  wall.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return { wall: wall[2], cpu: cpu[2] };
}
