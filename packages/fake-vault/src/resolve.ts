/**
 * Preload for child processes: `node --import @kvtrace/fake-vault/resolve app.js`
 * with `KVTRACE_FAKE_VAULT_RESOLVE=1` makes `*.vault.azure.net` (and the
 * comma-separated hosts in `KVTRACE_FAKE_VAULT_HOSTS`) resolve to 127.0.0.1,
 * so an unmodified app reaches fake-vault by its real-looking name. Pair it
 * with `NODE_EXTRA_CA_CERTS=<caPath>`. Without the variable it does nothing.
 */
import dns from 'node:dns';
import { createLookup, isFakeHost } from './lookup.js';

if (process.env.KVTRACE_FAKE_VAULT_RESOLVE === '1') {
  const extra = (process.env.KVTRACE_FAKE_VAULT_HOSTS ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  // net and tls read dns.lookup at connect time, so replacing the export is enough for http, https and fetch.
  dns.lookup = createLookup(extra) as typeof dns.lookup;
  const promises = dns.promises;
  const original = promises.lookup.bind(promises);
  promises.lookup = (async (hostname: string, options?: dns.LookupOptions) => {
    if (!isFakeHost(hostname, extra)) return original(hostname, options ?? {});
    return options?.all ? [{ address: '127.0.0.1', family: 4 }] : { address: '127.0.0.1', family: 4 };
  }) as typeof promises.lookup;
}

export {};
