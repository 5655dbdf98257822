/**
 * kvtrace reads error bodies for its diagnosis; the application must read the
 * very same bytes. The same app makes the same calls against the same vault
 * twice, without and with `--import @kvtrace/register`, and reports what it
 * read: raw bytes for fetch (base64), the parsed secret or RestError for the SDK.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASES } from './support/kv-cases.js';
import { closeScenario, runScenario, seededVault, type Scenario } from './support/scenario.js';

describe('byte-identical bodies with and without kvtrace', () => {
  let plain: Scenario;
  let traced: Scenario;
  beforeAll(async () => {
    const { vault, secretValue } = await seededVault();
    plain = await runScenario({ vault, secretValue, preload: null, env: () => ({}) });
    traced = await runScenario({
      vault,
      secretValue,
      preload: '--import',
      env: (receiver) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_METRICS_EXPORTER: 'none' }),
    });
  }, 60_000);
  afterAll(async () => {
    await closeScenario(plain, false);
    await closeScenario(traced);
  });

  it('kvtrace was really active in the traced run (and absent in the plain one)', () => {
    expect(plain.receiver.requests).toEqual([]);
    expect(traced.receiver.spans().some((s) => s.attributes['keyvault.cause'] === 'access_policy')).toBe(true);
  });

  it.each(CASES.map((c) => c.id))('%s: the app read the same thing', (id) => {
    const a = plain.run.answers.get(id);
    const b = traced.run.answers.get(id);
    expect(a).toBeDefined();
    expect(b).toEqual(a);
  });

  it('the fetch error bodies compared are the real Key Vault texts', () => {
    const body = (id: string): string => Buffer.from(String(traced.run.answers.get(id)!.body), 'base64').toString('utf8');
    expect(body('fetch-missing')).toBe('{"error":{"code":"Unauthorized","message":"AKV10000: Request is missing a Bearer or PoP token."}}');
    expect(body('fetch-throttle')).toContain('Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached');
    expect(body('fetch-ok')).toContain(traced.secretValue);
  });
});
