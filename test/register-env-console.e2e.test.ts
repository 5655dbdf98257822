/**
 * Exporter values of DESIGN.md's "Register: environment" on real app
 * processes: the console trace tree, console metrics, and none. (OTLP
 * http/protobuf and http/json are the two cause suites; Prometheus and the
 * signal-specific variables: register-env-otlp.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { pickCases } from './support/kv-cases.js';
import { closeScenario, runScenario, type Scenario } from './support/scenario.js';

const FEW = pickCases('sdk-ok', 'fetch-missing', 'fetch-throttle');
let scenario: Scenario | undefined;
afterEach(() => closeScenario(scenario));

describe('@kvtrace/register environment: console and none', { timeout: 60_000 }, () => {
  it('OTEL_TRACES_EXPORTER=console prints a readable tree per trace with cause and hint, and never a token', async () => {
    scenario = await runScenario({
      cases: FEW,
      env: (r) => ({ OTEL_TRACES_EXPORTER: 'console', OTEL_METRICS_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: r.url }),
    });
    const out = scenario.app.stdout;
    const vaultUrl = scenario.vault.vaultUrl;
    expect(out).toMatch(/^trace [0-9a-f]{32}\n└─ SERVER GET \/case\/sdk-ok\/sdk\/db-password → 200 [\d.]+ ms$/m);
    expect(out).toContain(`   ├─ CLIENT GET ${vaultUrl}/secrets/db-password/?api-version=2025-07-01 → 401 challenge/challenge `);
    expect(out).toMatch(/^ {3}│ {5}hint: The Azure SDK sent its first request to vault fakevault without a token/m);
    expect(out).toMatch(new RegExp(`└─ CLIENT GET ${vaultUrl.replace(/\./g, '\\.')}/secrets/db-password/\\?api-version=2025-07-01 → 200 ok [\\d.]+ ms$`, 'm'));
    expect(out).toMatch(/→ 401 unauthenticated\/missing_token [\d.]+ ms ERROR\n {9}hint: .*Authorization/);
    expect(out).toMatch(/→ 429 throttled\/throttled [\d.]+ ms ERROR\n {9}hint: /);
    for (const secret of [...scenario.run.tokens, scenario.vault.clientSecret, scenario.secretValue]) expect(out).not.toContain(secret);
    expect(out).not.toMatch(/eyJ[\w-]{8,}\.eyJ/);
    expect(scenario.receiver.requests).toEqual([]);
    expect(scenario.exit).toEqual({ code: 0, signal: null });
  });

  it('OTEL_METRICS_EXPORTER=console prints the keyvault metrics at exit', async () => {
    scenario = await runScenario({
      cases: FEW,
      env: (r) => ({ OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'console', OTEL_EXPORTER_OTLP_ENDPOINT: r.url }),
    });
    expect(scenario.app.stdout).toContain("name: 'keyvault.requests'");
    expect(scenario.app.stdout).toContain("name: 'keyvault.throttle.utilization'");
    expect(scenario.receiver.requests).toEqual([]);
  });

  it('OTEL_TRACES_EXPORTER=none and OTEL_METRICS_EXPORTER=none send nothing; the app works as before', async () => {
    scenario = await runScenario({
      cases: FEW,
      env: (r) => ({ OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: r.url }),
    });
    expect(scenario.run.answers.get('sdk-ok')).toMatchObject({ ok: true, value: scenario.secretValue });
    expect(scenario.receiver.requests).toEqual([]);
    expect(scenario.app.stdout).not.toContain('trace ');
    expect(scenario.exit).toEqual({ code: 0, signal: null });
  });
});
