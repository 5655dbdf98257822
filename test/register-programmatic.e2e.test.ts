/**
 * `start()` from `@kvtrace/register/start`, called by the app itself, on real
 * processes: options in code, the handle, idempotence, setup errors.
 */
import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { start as startVault, type FakeVault } from '@kvtrace/fake-vault';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver } from './support/otlp-receiver.js';

const run = promisify(execFile);
const TEST_DIR = dirname(fileURLToPath(import.meta.url));
let vault: FakeVault;
let receiver: OtlpReceiver;
beforeAll(async () => {
  vault = await startVault();
  receiver = await OtlpReceiver.start();
});
afterAll(async () => {
  await receiver.close();
  await vault.close();
});

async function node(args: string[]): Promise<{ result: Record<string, unknown>; stderr: string }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, ...vault.env(), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' };
  const { stdout, stderr } = await run(process.execPath, ['--import', '@kvtrace/fake-vault/resolve', ...args], { cwd: TEST_DIR, env, timeout: 20_000 });
  return { result: JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>, stderr };
}

describe('programmatic start()', { timeout: 60_000 }, () => {
  it('starts from code with options, returns one handle, installs no exit hooks when asked, exports on shutdown()', async () => {
    receiver.clear();
    const { result, stderr } = await node(['fixtures/programmatic.mjs']);
    expect(result).toEqual({ same: true, status: 401, traces: ['otlp'], sigtermListeners: 0 });
    // The second start() passed an option: it is ignored, and said so.
    expect(stderr).toContain('kvtrace: already started');
    expect(stderr).toContain('ignoring options shutdownTimeoutMs');
    const span = receiver.spans().find((s) => s.attributes['keyvault.cause'] === 'missing_token');
    expect(span).toBeDefined();
    // options.kvtrace reached the instrumentation.
    expect(span!.attributes).not.toHaveProperty('keyvault.object.name');
    expect(String(span!.attributes['url.full'])).toContain('/secrets/REDACTED?api-version=7.5');
  });

  it('after --import @kvtrace/register, start() returns the running handle (the env config wins)', async () => {
    receiver.clear();
    const { result } = await node(['--import', '@kvtrace/register', 'fixtures/programmatic.mjs']);
    expect(result).toMatchObject({ same: true, status: 401 });
    // The running SDK came from --import: its exit hooks are in, and object names are recorded.
    expect(result.sigtermListeners).toBe(1);
    const span = receiver.spans().find((s) => s.attributes['keyvault.cause'] === 'missing_token');
    expect(span?.attributes['keyvault.object.name']).toBe('db-password');
  });

  it('a malformed option is a setup error: TypeError naming it', async () => {
    const { result } = await node(['fixtures/programmatic.mjs', 'bad-option']);
    expect(result.thrown).toBe('TypeError');
    expect(result.message).toContain('maxBodyBytes');
  });
});
