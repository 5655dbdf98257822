/**
 * The Jaeger example's container entry point (start-with-fake-vault.mjs), run
 * on the host (this machine has no Docker engine), exporting over real
 * OTLP/HTTP to a local receiver standing where Jaeger's port 4318 would be.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/free-port.js';
import { OtlpReceiver } from '../../../test/support/otlp-receiver.js';

const HERE = fileURLToPath(new URL('..', import.meta.url));

describe('start-with-fake-vault.mjs (the container entry point) on the host', () => {
  let receiver: OtlpReceiver;
  let launcher: ChildProcess;
  let log = '';
  let port = 0;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    port = await freePort();
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!/^(OTEL_|KVTRACE_|AZURE_|VITEST|NODE_OPTIONS$)/.test(k)) env[k] = v;
    launcher = spawn(process.execPath, ['start-with-fake-vault.mjs'], {
      cwd: HERE,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...env,
        HOST: '127.0.0.1',
        PORT: String(port),
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_METRICS_EXPORTER: 'none',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      },
    });
    const child = launcher;
    // Never outlive a crashed test worker: the launcher leads its own process
    // group, so one kill also ends the app it started.
    process.once('exit', () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    });
    launcher.stdout?.setEncoding('utf8').on('data', (t: string) => (log += t));
    launcher.stderr?.setEncoding('utf8').on('data', (t: string) => (log += t));
    // Generous: on a loaded two-core machine node + register + the SDK take seconds to load.
    const deadline = Date.now() + 45_000;
    while (!/listening on http:\/\/127\.0\.0\.1:\d+/.test(log)) {
      if (launcher.exitCode !== null || Date.now() > deadline) throw new Error(`the service did not start:\n${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }, 60_000);

  afterAll(async () => {
    if (launcher?.pid !== undefined && launcher.exitCode === null && launcher.signalCode === null) {
      process.kill(-launcher.pid, 'SIGKILL');
    }
    await receiver?.close();
  });

  it('serves the seeded secret, and on SIGTERM exports the handshake and the read with kvtrace attributes', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/config/db-password`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: 'db-password', enabled: true });
    const missing = await fetch(`http://127.0.0.1:${port}/config/nope`);
    expect(missing.status).toBe(404);

    // docker stop sends SIGTERM: the launcher forwards it, the app flushes its spans.
    const exited = new Promise<number | null>((r) => launcher.once('exit', (code) => r(code)));
    launcher.kill('SIGTERM');
    expect(await exited).toBe(0);

    const vaultSpans = receiver.spans().filter((s) => s.attributes['keyvault.vault.name'] === 'kvtrace-demo');
    const byOutcome = (o: string) => vaultSpans.filter((s) => s.attributes['keyvault.outcome'] === o);
    const [challenge] = byOutcome('challenge');
    expect(challenge?.status.code).toBe(1); // OK: the handshake is not an error
    expect(challenge?.attributes['keyvault.challenge.resource']).toBe('https://vault.azure.net');
    const [ok] = byOutcome('ok');
    expect(ok?.attributes).toMatchObject({ 'keyvault.operation': 'secrets.get', 'keyvault.object.name': 'db-password', 'keyvault.token.present': true });
    const [notFound] = byOutcome('not_found');
    expect(notFound?.status.code).toBe(2);
    expect(ok?.resource['service.name']).toBe('express-app');
    // No token anywhere on the wire: every JWT starts with base64url '{"' = eyJ.
    for (const r of receiver.requests) expect(r.body.toString('latin1')).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
  }, 30_000);
});
