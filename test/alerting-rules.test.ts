/**
 * The example alerting rules, checked and unit-tested by promtool itself
 * (examples/alerting/rules/*.test.yml feed synthetic series shaped like
 * exporter-prometheus output and assert which alerts fire when).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findPrometheus, promtool, scaleRules } from './support/prometheus.js';

const ALERTING = fileURLToPath(new URL('../examples/alerting/', import.meta.url));
const bins = findPrometheus();
// Under CI the binaries must be there (scripts/ensure-prometheus.sh installs
// them): a missing Prometheus fails the run instead of skipping the proof.
const mustRun = process.env.CI === 'true' || bins !== undefined;

describe.runIf(mustRun)('examples/alerting rules (promtool)', () => {
  it('has prometheus and promtool on PATH', () => {
    expect(bins, 'prometheus/promtool not on PATH: run scripts/ensure-prometheus.sh').toBeDefined();
  });

  it.each(['kvtrace.rules.yml', 'kvtrace-spanmetrics.rules.yml'])('promtool check rules %s', async (file) => {
    const r = await promtool(['check', 'rules', join('rules', file)], ALERTING);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it.each(['kvtrace.rules.test.yml', 'kvtrace-spanmetrics.rules.test.yml'])('promtool test rules %s', async (file) => {
    const r = await promtool(['test', 'rules', join('rules', file)], ALERTING);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('SUCCESS');
  });

  it('promtool check config prometheus.yml (with its rule file)', async () => {
    const r = await promtool(['check', 'config', 'prometheus.yml'], ALERTING);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('SUCCESS: 1 rule files found');
  });

  it('scales the rules for the live test without changing anything else', async () => {
    const text = await readFile(join(ALERTING, 'rules/kvtrace.rules.yml'), 'utf8');
    const scaled = scaleRules(text, { window: '15s', forDuration: '2s', budgetThreshold: '0.8', scaledThreshold: 0.006 });
    expect(scaled).toContain('keyvault_vault_name:keyvault_throttle_utilization:sum > 0.006');
    expect(scaled).toContain('offset 15s');
    expect(scaled).not.toMatch(/\[5m\]|offset 5m|for: 30s|> 0\.8/);
    // Same rules, line for line: only the scaled numbers differ.
    expect(scaled.split('\n').length).toBe(text.split('\n').length);
    const dir = await mkdtemp(join(tmpdir(), 'kvtrace-rules-'));
    try {
      await writeFile(join(dir, 'scaled.yml'), scaled);
      const r = await promtool(['check', 'rules', join(dir, 'scaled.yml')]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
