// Test preload: `*.vault.azure.net` resolves to 127.0.0.1 (fake-vault), every
// other name goes to the system resolver. Stands in for
// @kvtrace/fake-vault/resolve, whose lookup calls the replaced dns.lookup
// for non-vault names and recurses until the stack overflows.
import dns from 'node:dns';

const systemLookup = dns.lookup;

dns.lookup = function vaultLookup(hostname, options, callback) {
  const cb = typeof options === 'function' ? options : callback;
  const opts = typeof options === 'object' && options !== null ? options : {};
  if (String(hostname).toLowerCase().replace(/\.$/, '').endsWith('.vault.azure.net')) {
    if (opts.all) process.nextTick(cb, null, [{ address: '127.0.0.1', family: 4 }]);
    else process.nextTick(cb, null, '127.0.0.1', 4);
    return;
  }
  return systemLookup.call(dns, hostname, options, callback);
};
