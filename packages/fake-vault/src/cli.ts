#!/usr/bin/env node
/**
 * kvtrace-fake-vault: starts a fake Key Vault and prints how to reach it.
 * Stops on SIGINT/SIGTERM (and removes the CA file).
 */
import { parseArgs } from 'node:util';
import { start } from './start.js';
import type { StartOptions } from './types.js';

const USAGE = `Usage: kvtrace-fake-vault [options]

  --name <vault>          vault name (default fakevault)
  --port <n>              port on 127.0.0.1 (default: any free port)
  --region <region>       x-ms-keyvault-region (default eastus)
  --tenant <guid>         tenant id (default random)
  --client-id <guid>      default client id (default random)
  --client-secret <s>     default client secret (default random)
  --rbac                  RBAC authorization instead of access policies
  --throttle-scale <f>    enforce the service limits multiplied by f (e.g. 0.005)
  --http                  plain HTTP (benchmarks)
  --json                  print one JSON line instead of text
  -h, --help              this help`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      name: { type: 'string' },
      port: { type: 'string' },
      region: { type: 'string' },
      tenant: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      rbac: { type: 'boolean' },
      'throttle-scale': { type: 'string' },
      http: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const options: StartOptions = {
    ...(values.name ? { vaultName: values.name } : {}),
    ...(values.port ? { port: Number(values.port) } : {}),
    ...(values.region ? { region: values.region } : {}),
    ...(values.tenant ? { tenantId: values.tenant } : {}),
    ...(values['client-id'] ? { clientId: values['client-id'] } : {}),
    ...(values['client-secret'] ? { clientSecret: values['client-secret'] } : {}),
    ...(values.rbac ? { authorization: 'rbac' as const } : {}),
    ...(values['throttle-scale'] ? { throttling: { scale: Number(values['throttle-scale']) } } : {}),
    ...(values.http ? { http: true } : {}),
  };
  const vault = await start(options);
  const info = {
    vaultUrl: vault.vaultUrl,
    caPath: vault.caPath,
    tenantId: vault.tenantId,
    clientId: vault.clientId,
    clientSecret: vault.clientSecret,
    authorityHost: vault.authorityHost,
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ...info, env: vault.env() })}\n`);
  } else {
    const env = Object.entries(vault.env()).map(([k, v]) => `${k}=${v}`).join(' ');
    process.stdout.write(
      [
        `fake Key Vault listening on 127.0.0.1:${vault.port}`,
        `  vault URL       ${info.vaultUrl}`,
        `  CA certificate  ${info.caPath || '(none: plain HTTP)'}`,
        `  tenant id       ${info.tenantId}`,
        `  client id       ${info.clientId}`,
        `  client secret   ${info.clientSecret}`,
        `  authority host  ${info.authorityHost}  (use with disableInstanceDiscovery: true)`,
        '',
        'Run an app against it:',
        `  ${env} node --import @kvtrace/fake-vault/resolve app.js`,
        '',
      ].join('\n'),
    );
  }
  const stop = (): void => {
    void vault.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`kvtrace-fake-vault: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
