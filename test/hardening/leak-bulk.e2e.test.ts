/**
 * Bulk leak scan: 1,000 random secret values and 1,000 distinct tokens
 * (minted by fake-vault's issuer; one in five expired, for another
 * audience or tenant, or not yet valid) go through a real app process under
 * `--import @kvtrace/register`: set and read back through the Azure SDK and
 * fetch, and through the example Express and Fastify services with
 * `expose: true`. Every byte that leaves the app is captured: OTLP requests
 * (real exporter -> local receiver), the console trace tree and console
 * metrics, stdout/stderr (Fastify's pino log, diag at debug level, the
 * app's own error logs with kvtrace's KeyVaultError in full), and every
 * middleware answer (status, headers, body). None may hold a token, a
 * signature, a secret value or the client secret, in any encoding.
 */
import { randomBytes } from 'node:crypto';
import type { FakeVault } from '@kvtrace/fake-vault';
import { start as startVault } from '@kvtrace/fake-vault';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AppProcess, type AppOptions, type ExitInfo } from '../support/app-process.js';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import { LeakScanner, formsOf, tokenValues, type ScanReport } from './support/leak-scan.js';

const ITEMS = 1000;
const BATCH = 100;

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}
interface BatchResult {
  set: number;
  sdkOk: number;
  sdkFailed: number;
  fetchOk: number;
  fetchFailed: number;
  mismatches: number;
  answers: Answer[];
}

async function tokenFor(vault: FakeVault, i: number): Promise<string> {
  if (i % 5 !== 0) return vault.mintToken();
  const other = '0b5e4a7c-1d2f-4e3a-9b8c-7d6e5f4a3b2c';
  const bad = [
    { expiresInS: -600 },
    { aud: 'https://management.azure.com/' },
    { aud: 'https://vault.azure.net/' },
    { tid: other, iss: `https://sts.windows.net/${other}/` },
    { notBeforeInS: 900 },
  ][(i / 5) % 5]!;
  return vault.mintToken(bad);
}

/** Values of several alphabets: URL- and base64-encoding them must also be caught. */
function secretValue(i: number): string {
  const r = randomBytes(18);
  return [r.toString('base64url'), `p@ss wörd/${r.toString('hex')}`, `{"conn":"${r.toString('base64')}"}`][i % 3]!;
}

describe('bulk leak scan through a real app', () => {
  let vault: FakeVault;
  let receiver: OtlpReceiver;
  let app: AppProcess;
  let exit: ExitInfo;
  const results: BatchResult[] = [];
  const scanner = new LeakScanner();
  let report: ScanReport;
  const tokens = new Set<string>();

  beforeAll(async () => {
    vault = await startVault();
    receiver = await OtlpReceiver.start();
    app = await AppProcess.start({
      // AppProcess runs test/fixtures/<entry>; this app lives with the hardening tests.
      entry: '../hardening/support/leak-app.mjs' as AppOptions['entry'],
      preload: '--import',
      env: {
        ...vault.env(),
        OTEL_SERVICE_NAME: 'kv-leak',
        OTEL_TRACES_EXPORTER: 'otlp,console',
        OTEL_METRICS_EXPORTER: 'otlp,console',
        OTEL_METRIC_EXPORT_INTERVAL: '2000',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_LOG_LEVEL: 'debug',
      },
    });
    const started = Date.now();
    const items = await Promise.all(
      Array.from({ length: ITEMS }, async (_, i) => ({
        name: `leak-${i}`,
        value: secretValue(i),
        token: await tokenFor(vault, i),
        middleware: i % 5 === 0 || i % 50 === 1,
      })),
    );
    for (const item of items) {
      tokens.add(item.token);
      scanner.forbid(item.value, `secret value of ${item.name}`);
      for (const v of tokenValues(item.token)) scanner.forbid(v, `token of ${item.name}`);
    }
    scanner.forbid(vault.clientSecret, 'client secret');
    for (let b = 0; b < ITEMS; b += BATCH) {
      // One throttling window per run: the next 20 vault calls answer 429 without Retry-After.
      if (b === 3 * BATCH) vault.setThrottle({ count: 20 });
      const res = await fetch(`http://127.0.0.1:${app.port}/batch`, { method: 'POST', body: JSON.stringify(items.slice(b, b + BATCH)) });
      expect(res.status).toBe(200);
      results.push((await res.json()) as BatchResult);
    }
    exit = await app.shutdown();
    const answers = results.flatMap((r) => r.answers.map((a) => JSON.stringify(a)));
    const requests = receiver.requests.flatMap((r) => [r.raw, r.body]);
    report = scanner.scan([...requests, app.stdout, app.stderr, ...answers]);
    const sum = (k: keyof Omit<BatchResult, 'answers'>): number => results.reduce((n, r) => n + r[k], 0);
    console.log(
      `[hardening] bulk leak scan: ${ITEMS} secrets, ${tokens.size} distinct tokens, ${report.values} forbidden values in ` +
        `${report.forms} windows (5 encodings each); scanned ${report.bytes} bytes: OTLP ${receiver.requests.length} requests ` +
        `${requests.reduce((n, b) => n + b.length, 0)} B, stdout ${app.stdout.length} B, stderr ${app.stderr.length} B, ` +
        `${answers.length} middleware answers ${answers.join('').length} B; spans ${receiver.spans().length}; ` +
        `set ${sum('set')}, sdk ok ${sum('sdkOk')} / failed ${sum('sdkFailed')}, fetch ok ${sum('fetchOk')} / failed ${sum('fetchFailed')}; ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }, 150_000);

  afterAll(async () => {
    if (app !== undefined && app.child.exitCode === null) app.child.kill('SIGKILL');
    await receiver?.close();
    await vault?.close();
  });

  test('the app did the work: values read back intact, failures answered, telemetry exported, exit 0', () => {
    expect(exit).toEqual({ code: 0, signal: null });
    expect(tokens.size).toBe(ITEMS);
    const sum = (k: keyof Omit<BatchResult, 'answers'>): number => results.reduce((n, r) => n + r[k], 0);
    expect(sum('mismatches')).toBe(0);
    expect(sum('set')).toBeGreaterThanOrEqual(ITEMS - 20);
    expect(sum('fetchOk') + sum('sdkOk')).toBeGreaterThan(1400);
    expect(sum('fetchFailed')).toBeGreaterThanOrEqual(ITEMS / 5);
    const problems = results.flatMap((r) => r.answers).filter((a) => a.headers['content-type']?.startsWith('application/problem+json'));
    expect(problems.length).toBeGreaterThanOrEqual(4 * (ITEMS / 5) - 40);
    // expose: true was on, so the scan covers hints and vault details, not only fixed sentences.
    expect(problems.some((a) => (JSON.parse(a.body) as { hint?: string }).hint !== undefined)).toBe(true);
    const spans = receiver.spans();
    expect(spans.filter((s) => s.attributes['keyvault.cause'] === 'wrong_audience').length).toBeGreaterThan(50);
    expect(spans.filter((s) => s.attributes['keyvault.cause'] === 'throttled').length).toBeGreaterThan(0);
    // The console exporter and Fastify's logger really wrote: the scan read their output.
    expect(app.stdout).toMatch(/wrong_audience/);
    expect(app.stdout).toMatch(/"msg":"Key Vault failure answered"/);
    expect(app.stderr).toMatch(/KeyVaultError/);
  });

  test('no token, signature, secret value or client secret anywhere, in any encoding', () => {
    expect(report.findings.slice(0, 5)).toEqual([]);
    expect(report.patterns).toEqual([]);
    expect(report.values).toBeGreaterThanOrEqual(ITEMS + 3 * ITEMS);
  });

  test('the scanner itself finds a planted token in every encoding (the scan is not vacuous)', () => {
    const token = [...tokens][7]!;
    for (const [form, text] of Object.entries(formsOf(token))) {
      const found = scanner.scan([Buffer.from(`{"x":"${text}"}`, 'latin1')]);
      expect(found.findings.length, form).toBeGreaterThan(0);
    }
    expect(scanner.scan([`sig ${token.split('.')[2]} end`]).findings.length).toBeGreaterThan(0);
  });
});
