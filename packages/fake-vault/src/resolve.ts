/**
 * Preload for child processes: `node --import @kvtrace/fake-vault/resolve app.js`
 * with `KVTRACE_FAKE_VAULT_RESOLVE=1` makes `*.vault.azure.net` (and the
 * comma-separated hosts in `KVTRACE_FAKE_VAULT_HOSTS`) resolve to 127.0.0.1,
 * so an unmodified app reaches fake-vault by its real-looking name. Pair it
 * with `NODE_EXTRA_CA_CERTS=<caPath>`. Without the variable it does nothing.
 */
import { installResolve } from './lookup.js';

if (process.env.KVTRACE_FAKE_VAULT_RESOLVE === '1') {
  const extra = (process.env.KVTRACE_FAKE_VAULT_HOSTS ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  installResolve(extra);
}

export {};
