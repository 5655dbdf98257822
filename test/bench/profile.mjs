#!/usr/bin/env node
// Where kvtrace's time goes on the real path: runs one variant (default C)
// in a loop against fake-vault under the V8 CPU profiler and prints, per
// call, the time spent inside kvtrace's hooks and in each function below
// them. `node test/bench/profile.mjs F 3000`; also `--cpu-prof` friendly.
import { Session } from 'node:inspector/promises';

process.env.KVTRACE_FAKE_VAULT_RESOLVE = '1';
await import('@kvtrace/fake-vault/resolve');
const { installOtel } = await import('./lib/otel.mjs');
const { startVaultProcess } = await import('./lib/vault-server.mjs');
const { clientsFor } = await import('./lib/clients.mjs');
const { buildInstrumentations } = await import('./lib/instrumentations.mjs');

const variant = process.argv[2] ?? 'C';
const calls = Number(process.argv[3] ?? 3000);
const otel = installOtel();
const vault = await startVaultProcess();
const clients = clientsFor(vault);
try {
  const inst = await buildInstrumentations(clients.fetchNonVault);
  const switches = { A: inst.none, B: inst.stockFetch, B7: inst.stockFetchViaTap, C: inst.kvtraceFetch, D: inst.none, E: inst.stockHttp, F: inst.kvtraceHttp };
  if (!switches[variant]) throw new TypeError(`variant must be one of ${Object.keys(switches).join(', ')}`);
  const call = 'DEF'.includes(variant) ? clients.getSecret : () => clients.fetchVault();
  await clients.getSecret();
  switches[variant].enable();
  for (let i = 0; i < 300; i++) await call();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < calls; i++) await call();
  const cpu = process.cpuUsage(cpu0);
  const { profile } = await session.post('Profiler.stop');
  switches[variant].disable();
  session.disconnect();
  console.log(`variant ${variant}: ${calls} calls, ${((cpu.user + cpu.system) / calls).toFixed(1)} us CPU per call (profiler on)`);
  printBelow(profile, /^(composedHook|kvtrace\w*Hook)$/, calls);
} finally {
  clients.close();
  await vault.close();
  await otel.shutdown();
}

/** Inclusive time per function below the outermost frame whose name matches `root`, in us per call. */
function printBelow(profile, root, calls) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (n) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber + 1}`;
  const inclusive = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const chain = [];
    for (let x = id; x !== undefined; x = parent.get(x)) chain.push(byId.get(x));
    const top = chain.findLastIndex((n) => root.test(n.callFrame.functionName));
    if (top < 0) return;
    total += dt;
    const seen = new Set();
    for (const n of chain.slice(0, top + 1)) {
      const key = name(n);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
    }
  });
  if (total === 0) {
    console.log('no samples inside kvtrace hooks (a stock or floor variant?)');
    return;
  }
  console.log(`inside kvtrace's hooks: ${(total / calls).toFixed(1)} us per call; inclusive per function:`);
  for (const [key, t] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
    console.log(`${(t / calls).toFixed(1).padStart(8)} us ${((100 * t) / total).toFixed(1).padStart(5)}%  ${key}`);
  }
}
