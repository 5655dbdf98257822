/**
 * Proof that the ESM loader hook is what makes an ES-module app traceable on
 * Node 20: `import * as http(s) from 'node:http(s)'` (the Azure SDK's ESM
 * build) binds namespaces that require-in-the-middle cannot patch.
 */
import { describe, expect, it } from 'vitest';
import { caseSpans, pickCases } from './support/kv-cases.js';
import type { OtlpReceiver } from './support/otlp-receiver.js';
import { closeScenario, runScenario } from './support/scenario.js';

describe('the ESM loader hook is what makes ES modules traceable', { timeout: 60_000 }, () => {
  it('without it, an ESM app gets fetch spans but no node:https (Azure SDK) spans; with it (--import or --require), both', async () => {
    const cases = pickCases('sdk-ok', 'fetch-missing');
    const env = (r: OtlpReceiver) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: r.url, OTEL_METRICS_EXPORTER: 'none' });
    // Independent runs (each with its own vault): side by side to halve the wall time.
    const [without, withHook, viaRequire] = await Promise.all([
      runScenario({ cases, preloadModule: './fixtures/start-without-esm-hook.mjs', env }),
      runScenario({ cases, env }),
      // --require loads the same ESM entry through require(esm); the hook it registers serves an ESM app too.
      runScenario({ cases, preload: '--require', env }),
    ]);
    try {
      // Without the hook the Azure SDK's vault calls (its ESM build's namespace
      // import of node:https) get no span: only undici's fetch span is a vault
      // span. The app's own node:http server may still get server spans: the
      // fetch tap require()s undici, which loads node:http after
      // HttpInstrumentation's require hook is in place, and a default import
      // shares that patched object; a namespace import does not.
      const vaultSpans = without.receiver.spans().filter((s) => s.attributes['keyvault.vault.name'] !== undefined);
      expect(vaultSpans.map((s) => s.attributes['keyvault.cause'])).toEqual(['missing_token']);
      expect(caseSpans(without.receiver.spans(), 'sdk-ok')).toEqual([]);
      expect(caseSpans(withHook.receiver.spans(), 'sdk-ok').length).toBeGreaterThanOrEqual(2);
      expect(caseSpans(viaRequire.receiver.spans(), 'sdk-ok').length).toBeGreaterThanOrEqual(2);
      expect(viaRequire.app.stderr).not.toContain('import-in-the-middle');
      expect(without.run.answers.get('sdk-ok')).toMatchObject({ ok: true });
    } finally {
      await closeScenario(without);
      await closeScenario(withHook);
      await closeScenario(viaRequire);
    }
  });
});
