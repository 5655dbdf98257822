/**
 * Child-process preload: `*.vault.azure.net` resolves to 127.0.0.1, every
 * other name goes to the system resolver captured before the replacement.
 * (fake-vault's own `@kvtrace/fake-vault/resolve` sends other names back to
 * the replaced `dns.lookup` and recurses until the stack overflows, e.g. on
 * `server.listen(0, '127.0.0.1')`; use it again once that is fixed.)
 */
import dns from 'node:dns';

const systemLookup = dns.lookup;
const isVault = (host) => String(host).toLowerCase().replace(/\.$/, '').endsWith('.vault.azure.net');

if (process.env.KVTRACE_FAKE_VAULT_RESOLVE === '1') {
  dns.lookup = function lookup(hostname, options, callback) {
    const cb = typeof options === 'function' ? options : callback;
    const opts = typeof options === 'object' && options !== null ? options : typeof options === 'number' ? { family: options } : {};
    if (!isVault(hostname)) return systemLookup.call(dns, hostname, opts, cb);
    if (opts.all) process.nextTick(cb, null, [{ address: '127.0.0.1', family: 4 }]);
    else process.nextTick(cb, null, '127.0.0.1', 4);
  };
}
