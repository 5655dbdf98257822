#!/usr/bin/env node
// `pnpm bench`: what kvtrace costs, measured side by side with stock
// OpenTelemetry in one process (see README.md). Options: --quick,
// --only=side-by-side|micro|memory, BENCH_* variables (lib/options.mjs).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Heap figures need gc(); re-run this script once with --expose-gc when it is missing.
if (typeof globalThis.gc !== 'function') {
  const self = fileURLToPath(import.meta.url);
  const { status, signal } = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, self, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exit(status ?? (signal ? 1 : 0));
}

// The vault is reached by its real-looking name, <name>.vault.azure.net:<port>:
// fake-vault's resolver maps it to 127.0.0.1 (set before any socket opens).
process.env.KVTRACE_FAKE_VAULT_RESOLVE = '1';
await import('@kvtrace/fake-vault/resolve');

const { main } = await import('./lib/main.mjs');
await main();
