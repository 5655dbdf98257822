// Runs examples/express-app under `--import @kvtrace/register` against a
// fake-vault started in this process, so the Jaeger example needs no Azure
// subscription. The container's entry point (see Dockerfile); also runs
// as-is on a host: `node examples/jaeger/start-with-fake-vault.mjs`.
//
// Environment: HOST/PORT of the app (default 127.0.0.1:3000), FAKE_VAULT_NAME
// (default kvtrace-demo), and the OTEL_* variables, passed through to the app.
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SecretClient } from '@azure/keyvault-secrets';
import { start } from '@kvtrace/fake-vault';

const vault = await start({ vaultName: process.env.FAKE_VAULT_NAME || 'kvtrace-demo' });

// Something to read: GET /config/db-password answers 200, /config/nope 404.
const seeder = new SecretClient(vault.vaultUrl, await vault.credential(), vault.clientOptions());
await seeder.setSecret('db-password', 'not-a-real-password', { contentType: 'text/plain' });
await seeder.setSecret('feature-flags', '{"beta":true}', { contentType: 'application/json' });

const appDir = dirname(fileURLToPath(import.meta.resolve('@kvtrace/example-express-app/package.json')));
const app = spawn(
  process.execPath,
  // fake-vault/resolve maps *.vault.azure.net to 127.0.0.1 inside the app;
  // register is the one line a real service adds.
  ['--import', '@kvtrace/fake-vault/resolve', '--import', '@kvtrace/register', 'server.mjs'],
  {
    cwd: appDir,
    stdio: 'inherit',
    env: {
      ...process.env,
      ...vault.env(),
      VAULT_URL: vault.vaultUrl,
      HOST: process.env.HOST || '127.0.0.1',
      PORT: process.env.PORT || '3000',
      OTEL_SERVICE_NAME: process.env.OTEL_SERVICE_NAME || 'express-app',
    },
  },
);
console.log(`fake-vault ${vault.vaultUrl} (tenant ${vault.tenantId}); express-app starting`);

let stopping = false;
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  // The app flushes its spans on SIGTERM before it exits.
  if (app.exitCode === null && app.signalCode === null) {
    app.kill(signal);
    await new Promise((resolve) => app.once('exit', resolve));
  }
  await vault.close();
}
process.once('SIGTERM', () => void stop('SIGTERM'));
process.once('SIGINT', () => void stop('SIGINT'));
app.once('exit', (code, signal) => {
  if (stopping) return;
  console.error(`express-app exited (${signal ?? code}); stopping fake-vault`);
  void vault.close().then(() => process.exit(typeof code === 'number' && code !== 0 ? code : 1));
});
