// The README's first command runs this tour; CI keeps it honest.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const run = fileURLToPath(new URL('../examples/demo/run.mjs', import.meta.url));
const CAUSES = [
  'challenge', 'missing_token', 'token_expired', 'token_not_yet_valid', 'wrong_audience', 'wrong_tenant',
  'claims_challenge', 'unauthenticated', 'firewall', 'access_policy', 'rbac', 'forbidden', 'secret_disabled',
  'key_operation_forbidden', 'deleted_recoverable', 'being_recovered', 'throttled', 'bad_request',
];

test('the demo tour finishes by itself, shows every cause with its hint, and prints no token', () => {
  const env = { ...process.env };
  delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
  delete env.OTEL_TRACES_EXPORTER;
  delete env.OTEL_METRICS_EXPORTER;
  const started = Date.now();
  const result = spawnSync(process.execPath, [run], { encoding: 'utf8', env, timeout: 110_000 });
  const out = `${result.stdout}\n${result.stderr}`;
  expect(result.status, out).toBe(0);
  expect(Date.now() - started).toBeLessThan(60_000);
  for (const cause of CAUSES) expect(out, cause).toMatch(new RegExp(`\\b[a-z_]+/${cause}\\b`));
  expect(out).toContain('demo: all 18 causes of the telemetry contract shown.');
  // Every diagnosed span line is followed by a hint a person can act on.
  expect(out.match(/^\s*(?:│\s*)?hint: /gm)?.length ?? 0).toBeGreaterThanOrEqual(CAUSES.length);
  // What the service answered its own clients, for the retry-aware rows.
  expect(out).toMatch(/answered its client: 503 Retry-After: 5 .*cause=throttled retryable=true/);
  expect(out).toMatch(/answered its client: 503 Retry-After: 2 .*cause=rbac retryable=true/);
  expect(out).toMatch(/answered its client: 502 .*cause=authentication_failed/);
  // No JWT (header.payload), no Bearer value reaches the terminal.
  expect(out).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}\.eyJ/);
  expect(out).not.toMatch(/Bearer\s+[A-Za-z0-9._-]{20,}/);
}, 120_000);
