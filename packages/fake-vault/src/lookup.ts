import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import type { LookupAddress, LookupOptions } from 'node:dns';

import { CLOUDS } from './clouds.js';

/** Host suffixes of vaults and managed HSMs (public and sovereign clouds); all resolve to 127.0.0.1. */
export const VAULT_SUFFIXES: readonly string[] = CLOUDS.map((c) => `.${c.suffix}`);

/** True for `<name>.vault.azure.net` and for any host in `extra`. */
export function isFakeHost(hostname: string, extra: readonly string[] = []): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return VAULT_SUFFIXES.some((s) => host.endsWith(s)) || extra.includes(host);
}

/** The resolver as it was before installResolve(), so the fallback never loops into our own patch. */
const systemLookup = dns.lookup;

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/tls options: vault hosts resolve to 127.0.0.1, every
 * other name goes to the system resolver. Handles `all: true`, which Node
 * asks for when autoSelectFamily is on (the default since Node 20).
 */
export function createLookup(extra: readonly string[] = []) {
  return function fakeVaultLookup(hostname: string, options: LookupOptions | number | LookupCallback, callback?: LookupCallback): void {
    const cb = (typeof options === 'function' ? options : callback) as LookupCallback;
    const opts: LookupOptions = typeof options === 'object' ? options : typeof options === 'number' ? { family: options } : {};
    if (isFakeHost(hostname, extra)) {
      if (opts.all) process.nextTick(cb, null, [{ address: '127.0.0.1', family: 4 }]);
      else process.nextTick(cb, null, '127.0.0.1', 4);
      return;
    }
    systemLookup(hostname, { ...opts, all: opts.all === true }, ((err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) =>
      cb(err, address, family)) as never);
  };
}

/**
 * Makes `dns.lookup` (and `dns.promises.lookup`) answer 127.0.0.1 for vault
 * hosts in this process; net and tls read `dns.lookup` at connect time, so
 * http, https and fetch all follow. Returns a function that restores the
 * originals. The preload `@kvtrace/fake-vault/resolve` calls this.
 */
export function installResolve(extra: readonly string[] = []): () => void {
  const originalLookup = dns.lookup;
  const promises = dns.promises;
  const originalPromisesLookup = promises.lookup;
  dns.lookup = createLookup(extra) as typeof dns.lookup;
  promises.lookup = (async (hostname: string, options?: LookupOptions) => {
    if (!isFakeHost(hostname, extra)) return (originalPromisesLookup as (h: string, o: LookupOptions) => Promise<unknown>).call(promises, hostname, options ?? {});
    return options?.all ? [{ address: '127.0.0.1', family: 4 }] : { address: '127.0.0.1', family: 4 };
  }) as typeof promises.lookup;
  // ESM importers of node:dns see the CommonJS object's properties only after a sync.
  syncBuiltinESMExports();
  return () => {
    dns.lookup = originalLookup;
    promises.lookup = originalPromisesLookup;
    syncBuiltinESMExports();
  };
}
