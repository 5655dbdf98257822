/**
 * Leak scan over the demo tour: every scenario of examples/demo (every cause
 * of the contract, through the Azure SDK over node:https, fetch over undici,
 * the Express and the Fastify example services) runs as a real child process
 * under `--import @kvtrace/register`, exporting to a local OTLP receiver AND
 * printing the console trace tree, with diag at debug level. The launcher
 * plays run.mjs's part (vault controls over IPC) and records every token and
 * client secret the vault hands out; afterwards every secret value the tour
 * stored is read back from the vault. None may appear in any captured byte.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SecretClient } from '@azure/keyvault-secrets';
import { start as startVault, type FakeVault } from '@kvtrace/fake-vault';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import { LeakScanner, tokenValues, type ScanReport } from './support/leak-scan.js';

const DEMO = fileURLToPath(new URL('../../examples/demo/', import.meta.url));
const CAUSES = [
  'challenge', 'missing_token', 'token_expired', 'token_not_yet_valid', 'wrong_audience', 'wrong_tenant',
  'claims_challenge', 'unauthenticated', 'firewall', 'access_policy', 'rbac', 'forbidden', 'secret_disabled',
  'key_operation_forbidden', 'deleted_recoverable', 'being_recovered', 'throttled', 'bad_request',
];

let vault: FakeVault;
let receiver: OtlpReceiver;
let stdout = '';
let stderr = '';
let code: number | null = null;
const minted: string[] = [];
const clientSecrets: string[] = [];
const secretValues: string[] = [];
let report: ScanReport;

/** Runs tour.mjs with the vault controls answered here, as examples/demo/run.mjs does. */
function runTour(): Promise<number | null> {
  const child = spawn(process.execPath, ['--import', '@kvtrace/fake-vault/resolve', '--import', '@kvtrace/register', 'tour.mjs'], {
    cwd: DEMO,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: {
      PATH: process.env.PATH,
      ...vault.env(),
      OTEL_SERVICE_NAME: 'kv-tour-leak',
      OTEL_TRACES_EXPORTER: 'console,otlp',
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_LOG_LEVEL: 'debug',
    },
  });
  child.stdout!.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr!.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  child.on('message', async (message: { id: number; op: string; args: unknown[] }) => {
    try {
      const control = (vault as unknown as Record<string, (...a: unknown[]) => unknown>)[message.op]!;
      const result = await control.apply(vault, message.args ?? []);
      if (message.op === 'mintToken') minted.push(String(result));
      if (message.op === 'registerClient') clientSecrets.push((result as { clientSecret: string }).clientSecret);
      child.send({ id: message.id, result: result ?? null });
    } catch (error) {
      child.send({ id: message.id, error: String(error) });
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
  return new Promise((resolve) => child.on('exit', (c) => (clearTimeout(timer), resolve(c))));
}

/** Every value of every version the tour stored: live, disabled (re-enabled to read it) or deleted. */
async function storedSecretValues(): Promise<string[]> {
  const client = new SecretClient(vault.vaultUrl, await vault.credential(), vault.clientOptions());
  // The tour's last recovery ('old-webhook') completes a few seconds after it started.
  for (let waited = 0; waited < 6000; waited += 250) {
    const names: string[] = [];
    for await (const p of client.listPropertiesOfSecrets()) names.push(p.name);
    if (names.includes('old-webhook')) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const values: string[] = [];
  for await (const p of client.listPropertiesOfSecrets()) {
    for await (const v of client.listPropertiesOfSecretVersions(p.name)) {
      if (v.enabled === false) await client.updateSecretProperties(p.name, v.version!, { enabled: true });
      const s = await client.getSecret(p.name, { version: v.version! }).catch(() => undefined);
      if (s?.value) values.push(s.value);
    }
  }
  for await (const d of client.listDeletedSecrets()) {
    const s = await client.getDeletedSecret(d.name).catch(() => undefined);
    if (s?.value) values.push(s.value);
  }
  return values;
}

beforeAll(async () => {
  vault = await startVault({ vaultName: 'contoso-payments', region: 'westeurope' });
  receiver = await OtlpReceiver.start();
  const started = Date.now();
  code = await runTour();
  // The receiver may still be taking the final flush when the child exits.
  await new Promise((r) => setTimeout(r, 200));
  secretValues.push(...(await storedSecretValues()));
  const scanner = new LeakScanner();
  for (const token of minted) for (const v of tokenValues(token)) scanner.forbid(v, 'minted token');
  for (const value of secretValues) scanner.forbid(value, 'secret value');
  for (const secret of [vault.clientSecret, ...clientSecrets]) scanner.forbid(secret, 'client secret');
  report = scanner.scan([...receiver.requests.flatMap((r) => [r.raw, r.body]), stdout, stderr]);
  console.log(
    `[hardening] tour leak scan: ${minted.length} minted tokens, ${secretValues.length} stored secret values, ` +
      `${1 + clientSecrets.length} client secrets -> ${report.values} forbidden values; scanned ${report.bytes} bytes ` +
      `(OTLP ${receiver.requests.length} requests, stdout ${stdout.length} B, stderr ${stderr.length} B); ` +
      `${receiver.spans().length} spans; ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}, 150_000);

afterAll(async () => {
  await receiver?.close();
  await vault?.close();
});

test('the tour ran every scenario: exit 0, every cause on the exported spans and in the console tree', () => {
  expect(code, stderr.slice(-2000)).toBe(0);
  const causes = new Set(receiver.spans().map((s) => s.attributes['keyvault.cause']));
  for (const cause of CAUSES) {
    expect(causes.has(cause), cause).toBe(true);
    expect(stdout).toMatch(new RegExp(`\\b[a-z_]+/${cause}\\b`));
  }
  expect(stdout).toContain('answered its client: 503');
  // The scan had material: tokens and secrets were in play, and both exporters wrote.
  expect(minted.length).toBeGreaterThanOrEqual(5);
  // db-password, the disabled legacy-api-key, the recovered old-webhook.
  expect(secretValues.length).toBeGreaterThanOrEqual(3);
  expect(receiver.allBytes().toString('latin1')).toContain(vault.clientId);
});

test('no minted token, signature, stored secret value or client secret in OTLP bytes, console output or logs', () => {
  expect(report.findings.slice(0, 5)).toEqual([]);
  expect(report.patterns).toEqual([]);
});
