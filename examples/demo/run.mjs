// The kvtrace tour in one command (`npm run demo` at the repository root).
//
// Starts fake-vault in this process, then the tour — an app hosting the
// example Express and Fastify services — as a child process under
// `--import @kvtrace/register`, with the console exporter printing one span
// tree per call. The tour asks this process (over IPC) to reconfigure the
// vault between scenarios. With OTEL_EXPORTER_OTLP_ENDPOINT set, the same
// spans and metrics also go there (e.g. Jaeger, see examples/jaeger).
//
// It checks its own output: every cause of DESIGN.md's table must have been
// shown, or it exits 1.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CAUSES } from '@kvtrace/core';
import { start } from '@kvtrace/fake-vault';

/** The vault controls the tour may call. */
const CONTROLS = new Set([
  'mintToken', 'registerClient', 'grant', 'revoke', 'setFirewall', 'setClientAddress', 'setAuthorization',
  'assignRole', 'unassignRole', 'setThrottle', 'setThrottling', 'utilization', 'inject', 'clearFaults',
  'setRecoveryDelay',
]);
const TIME_LIMIT_MS = 120_000;

const here = fileURLToPath(new URL('.', import.meta.url));
const vault = await start({ vaultName: 'contoso-payments', region: 'westeurope' });
const otlp = Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT);

const child = spawn(
  process.execPath,
  ['--import', '@kvtrace/fake-vault/resolve', '--import', '@kvtrace/register', 'tour.mjs'],
  {
    cwd: here,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    env: {
      ...process.env,
      ...vault.env(),
      OTEL_SERVICE_NAME: process.env.OTEL_SERVICE_NAME ?? 'kvtrace-demo',
      OTEL_TRACES_EXPORTER: process.env.OTEL_TRACES_EXPORTER ?? (otlp ? 'console,otlp' : 'console'),
      OTEL_METRICS_EXPORTER: process.env.OTEL_METRICS_EXPORTER ?? (otlp ? 'otlp' : 'none'),
    },
  },
);

const shown = new Set();
let tail = '';
child.stdout.setEncoding('utf8');
child.stdout.on('data', (text) => {
  process.stdout.write(text);
  // Tree lines print `<outcome>/<cause>`; keep a tail so a pattern split across chunks still counts.
  const scan = tail + text;
  for (const match of scan.matchAll(/\b[a-z_]+\/([a-z_]+)\b/g)) if (CAUSES.includes(match[1])) shown.add(match[1]);
  tail = scan.slice(-64);
});

child.on('message', async (message) => {
  const { id, op, args } = message ?? {};
  try {
    if (!CONTROLS.has(op)) throw new Error(`unknown vault control ${String(op)}`);
    const result = await vault[op](...(Array.isArray(args) ? args : []));
    child.send({ id, result: result ?? null });
  } catch (error) {
    child.send({ id, error: error instanceof Error ? error.message : String(error) });
  }
});

const timer = setTimeout(() => {
  console.error(`demo: the tour did not finish within ${TIME_LIMIT_MS / 1000} s`);
  child.kill('SIGKILL');
}, TIME_LIMIT_MS);

const code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(signal ? 1 : (c ?? 1))));
clearTimeout(timer);
await vault.close();

const missing = CAUSES.filter((cause) => !shown.has(cause));
if (code !== 0) {
  console.error(`demo: the tour exited with ${code}`);
  process.exitCode = 1;
} else if (missing.length > 0) {
  console.error(`demo: causes not shown: ${missing.join(', ')}`);
  process.exitCode = 1;
} else {
  console.log(`demo: all ${CAUSES.length} causes of the telemetry contract shown.${otlp ? ` Spans also sent to ${process.env.OTEL_EXPORTER_OTLP_ENDPOINT}.` : ''}`);
}
