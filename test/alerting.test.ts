/**
 * The example alert rules, fired for real: Debian's Prometheus scrapes the
 * example Express service (examples/express-app, run as users run it:
 * `node --import @kvtrace/register server.mjs`, OTEL_METRICS_EXPORTER=prometheus
 * on a loopback port) while the test drives it into fake-vault's throttling.
 * Asserted through Prometheus' own HTTP API (/api/v1/alerts): the budget
 * alert fires while every call still succeeds, the throttling alert after the
 * first 429.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { SecretClient } from '@azure/keyvault-secrets';
import { limitFor, parseVaultUrl } from '@kvtrace/core';
import { start } from '@kvtrace/fake-vault';
import type { FakeVault } from '@kvtrace/fake-vault';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv } from './support/app-process.js';
import { freePort } from './support/free-port.js';
import { findPrometheus, scaleRules, startPrometheus } from './support/prometheus.js';
import type { PromAlert, RunningPrometheus } from './support/prometheus.js';

const RULES = fileURLToPath(new URL('../examples/alerting/rules/kvtrace.rules.yml', import.meta.url));
const EXPRESS_APP = fileURLToPath(new URL('../examples/express-app/', import.meta.url));

/**
 * fake-vault answers 429 once this many secret reads fell in its 10 s
 * window: small, so the test stays quick; kvtrace still measures
 * utilization against Key Vault's real limit, so the rule's 0.8 is scaled by
 * FAKE_LIMIT / real limit.
 */
const FAKE_LIMIT = 30;
/** Phase 1: above 80% of FAKE_LIMIT, below FAKE_LIMIT (the SDK's first token-less request does not reach the limit). */
const PHASE1_CALLS = 27;

const bins = findPrometheus();
// Under CI the binaries must be there (scripts/ensure-prometheus.sh installs
// them): a missing Prometheus fails the run instead of skipping the proof.
const mustRun = process.env.CI === 'true' || bins !== undefined;

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}\n${log()}`);
}

describe.runIf(mustRun)('alert rules on a live Prometheus scraping a kvtrace service', () => {
  let vault: FakeVault | undefined;
  let app: ChildProcess | undefined;
  let appLog = '';
  let prom: RunningPrometheus | undefined;
  let appUrl = '';

  beforeAll(async () => {
    expect(bins, 'prometheus/promtool not on PATH: run scripts/ensure-prometheus.sh').toBeDefined();
    vault = await start({ vaultName: 'alertvault' });
    const seeder = new SecretClient(vault.vaultUrl, await vault.credential(), vault.clientOptions());
    await seeder.setSecret('db-password', 'not-a-real-password');
    // Limits from now on (fresh windows, so seeding costs nothing): every limit
    // scaled to FAKE_LIMIT / 4000, 429 without Retry-After, which the Azure SDK
    // does not retry, so the service answers its client 503 at once.
    vault.setThrottling({ scale: FAKE_LIMIT / 4000, retryAfter: false });

    const appPort = await freePort();
    const metricsPort = await freePort();
    appUrl = `http://127.0.0.1:${appPort}`;
    // fake-vault/resolve maps *.vault.azure.net to 127.0.0.1 in the app.
    app = spawn(process.execPath, ['--import', '@kvtrace/fake-vault/resolve', '--import', '@kvtrace/register', 'server.mjs'], {
      cwd: EXPRESS_APP,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: cleanEnv({
        ...vault.env(),
        VAULT_URL: vault.vaultUrl,
        HOST: '127.0.0.1',
        PORT: String(appPort),
        OTEL_SERVICE_NAME: 'alerting-e2e',
        OTEL_TRACES_EXPORTER: 'none',
        OTEL_METRICS_EXPORTER: 'prometheus',
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
      }),
    });
    const child = app;
    process.once('exit', () => child.kill('SIGKILL')); // never outlive a crashed test worker
    app.stdout?.setEncoding('utf8').on('data', (t: string) => (appLog += t));
    app.stderr?.setEncoding('utf8').on('data', (t: string) => (appLog += t));
    const appReady = until('the service and its /metrics', async () => (await fetch(`${appUrl}/healthz`)).ok && (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).ok, 45_000, () => appLog);
    appReady.catch(() => undefined); // awaited below; no unhandled rejection meanwhile

    // Same expressions as users deploy; only time windows and the threshold scale.
    const endpoint = parseVaultUrl(`${vault.vaultUrl}/secrets/db-password`);
    const realLimit = endpoint ? limitFor(endpoint).limit : Number.NaN;
    expect(realLimit).toBe(4000);
    const rules = scaleRules(await readFile(RULES, 'utf8'), {
      window: '15s',
      forDuration: '1s',
      budgetThreshold: '0.8',
      scaledThreshold: (0.8 * FAKE_LIMIT) / realLimit,
    });
    // Prometheus starts while the service does (two cores: each start takes seconds).
    const promReady = startPrometheus({ targets: [`127.0.0.1:${metricsPort}`], rules: { 'kvtrace.rules.yml': rules }, interval: '1s' }).then(
      (p) => (prom = p), // kept at once, so afterAll stops it even when the service failed to start
    );
    await Promise.all([promReady, appReady]);
    await (prom as RunningPrometheus).waitForTargetsUp();
  }, 60_000);

  afterAll(async () => {
    await prom?.stop();
    if (app && app.exitCode === null && app.signalCode === null) {
      const child = app;
      const exited = new Promise((r) => child.once('exit', r));
      // The app's own SIGTERM listener closes its server and the process ends
      // on its own once Prometheus stopped scraping; a stuck one is killed.
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    await vault?.close();
  }, 20_000);

  it('fires KeyVaultThrottleBudgetHigh before the first 429 and KeyVaultThrottled after it', async () => {
    const p = prom as RunningPrometheus;
    const v = vault as FakeVault;
    const byName = (alerts: PromAlert[], name: string) => alerts.find((a) => a.labels.alertname === name && a.labels.keyvault_vault_name === 'alertvault');
    const call = async () => (await fetch(`${appUrl}/config/db-password`)).status;
    // A few calls at a time: the budget is counted over 10 s, so the calls must
    // land close together even on a loaded machine.
    const burst = (n: number) => Promise.all(Array.from({ length: n }, call));

    // Phase 1: 27 calls, every one answered 200 by the vault.
    for (let i = 0; i < PHASE1_CALLS / 9; i++) expect(await burst(9)).toEqual(Array(9).fill(200));
    const phase1EndAt = Date.now();
    const budget = await p.waitFor('KeyVaultThrottleBudgetHigh firing', async () => {
      const a = byName(await p.alerts(), 'KeyVaultThrottleBudgetHigh');
      return a?.state === 'firing' ? a : undefined;
    }, 8000);
    const budgetSeenAt = Date.now();
    expect(v.requests.filter((r) => r.status === 429)).toEqual([]);
    expect(byName(await p.alerts(), 'KeyVaultThrottled')).toBeUndefined();
    expect(budget.labels.severity).toBe('warning');

    // Phase 2: keep calling until the vault throttles.
    let first429At: number | undefined;
    let phase2Calls = 0;
    for (let i = 0; i < FAKE_LIMIT && first429At === undefined; i++) {
      phase2Calls += 2;
      const statuses = await burst(2);
      if (statuses.includes(503)) first429At = Date.now();
      for (const status of statuses) expect([200, 503]).toContain(status);
    }
    expect(first429At, 'the vault never throttled').toBeDefined();
    expect(v.requests.some((r) => r.status === 429)).toBe(true);
    expect(budgetSeenAt).toBeLessThan(first429At as number);
    expect(Date.parse(budget.activeAt)).toBeLessThan(first429At as number);

    const throttled = await p.waitFor('KeyVaultThrottled firing', async () => {
      const a = byName(await p.alerts(), 'KeyVaultThrottled');
      return a?.state === 'firing' ? a : undefined;
    }, 8000);
    const throttledSeenAt = Date.now();
    console.info(
      `alerting: budget alert firing ${budgetSeenAt - phase1EndAt} ms after ${PHASE1_CALLS} calls; ` +
        `first 429 within calls ${PHASE1_CALLS + phase2Calls - 1}-${PHASE1_CALLS + phase2Calls}, ${(first429At as number) - budgetSeenAt} ms later; ` +
        `throttling alert firing ${throttledSeenAt - (first429At as number)} ms after it`,
    );
    expect(throttled.labels.severity).toBe('critical');
    expect(Date.parse(throttled.activeAt)).toBeGreaterThanOrEqual((first429At as number) - 1000);
    expect(throttled.annotations.summary).toBe('Key Vault alertvault is throttling requests (429)');
    // What Prometheus stored: the 429s counted under the contract's labels.
    const series = await p.query('keyvault_requests_total{keyvault_outcome="throttled"}');
    expect(series[0]?.metric).toMatchObject({ keyvault_vault_name: 'alertvault', keyvault_cause: 'throttled', http_response_status_code: '429', keyvault_operation: 'secrets.get' });
  }, 40_000);
});
