// Variants A-F and the non-vault pair, all in one interleaved run.
import { runInterleaved } from './rounds.mjs';

/**
 * @param {object} o
 * @param {Awaited<ReturnType<import('./instrumentations.mjs').buildInstrumentations>>} o.inst
 * @param {ReturnType<import('./clients.mjs').createClients>} o.clients
 */
export async function runSideBySide({ inst, clients, otel, rounds, perRound, warmup }) {
  const { none, stockFetch, stockFetchViaTap, kvtraceFetch, stockHttp, kvtraceHttp } = inst;
  const variant = (name, label, switcher, call, spansPerCall, kvtrace, probe) => ({
    name,
    label,
    enable: switcher.enable,
    disable: switcher.disable,
    call,
    spansPerCall,
    kvtrace,
    ...(probe && { probe }),
  });
  // Non-vault rounds end with one vault call whose span shows whose hooks were on.
  const fetchProbe = (kvtrace) => ({ call: clients.fetchVault, kvtrace });
  const sdkProbe = (kvtrace) => ({ call: clients.getSecret, kvtrace });
  const variants = [
    variant('A', 'fetch, no OpenTelemetry', none, clients.fetchVault, 0, false),
    variant('B', 'fetch + stock instrumentation-undici', stockFetch, clients.fetchVault, 1, false),
    variant('C', 'fetch + kvtrace', kvtraceFetch, clients.fetchVault, 1, true),
    variant('B7', "B through kvtrace's undici 7 dispatcher", stockFetchViaTap, clients.fetchVault, 1, false),
    // B run twice: how far apart two identical variants land is the noise floor of every ratio.
    variant('B2', 'B again (identical: the noise floor)', stockFetch, clients.fetchVault, 1, false),
    variant('D', 'SecretClient.getSecret, no OpenTelemetry', none, clients.getSecret, 0, false),
    variant('E', 'SecretClient.getSecret + stock instrumentation-http', stockHttp, clients.getSecret, 1, false),
    variant('F', 'SecretClient.getSecret + kvtrace', kvtraceHttp, clients.getSecret, 1, true),
    variant('NB', 'non-vault fetch + stock instrumentation-undici', stockFetch, clients.fetchNonVault, 1, false, fetchProbe(false)),
    variant('NC', 'non-vault fetch + kvtrace', kvtraceFetch, clients.fetchNonVault, 1, false, fetchProbe(true)),
    variant('NB7', "NB through kvtrace's undici 7 dispatcher", stockFetchViaTap, clients.fetchNonVault, 1, false, fetchProbe(false)),
    variant('NE', 'non-vault node:http + stock instrumentation-http', stockHttp, clients.httpNonVault, 1, false, sdkProbe(false)),
    variant('NF', 'non-vault node:http + kvtrace', kvtraceHttp, clients.httpNonVault, 1, false, sdkProbe(true)),
  ];
  const started = Date.now();
  const results = await runInterleaved({ variants, rounds, perRound, warmup, otel });
  const byName = Object.fromEntries(results.map((r) => [r.name, r]));
  return {
    seconds: (Date.now() - started) / 1000,
    variants: results,
    ratios: {
      'C/B': ratio(byName.C, byName.B),
      'F/E': ratio(byName.F, byName.E),
      'C/B7 (hooks alone)': ratio(byName.C, byName.B7),
      'B7/B (dispatcher alone)': ratio(byName.B7, byName.B),
      'B2/B (noise floor)': ratio(byName.B2, byName.B),
      'B/A': ratio(byName.B, byName.A),
      'E/D': ratio(byName.E, byName.D),
      'non-vault fetch NC/NB': ratio(byName.NC, byName.NB),
      'NC/NB7 (hooks alone)': ratio(byName.NC, byName.NB7),
      'NB7/NB (dispatcher alone)': ratio(byName.NB7, byName.NB),
      'non-vault http NF/NE': ratio(byName.NF, byName.NE),
    },
  };
}

/**
 * Headline: ratio of the medians of all samples. `pairedMedian` is the median
 * over rounds of each round's own ratio, which shrugs off slow drifts of the
 * machine; `addedNs` is what the numerator costs on top, in ns per request;
 * `cpu` compares this process's CPU time per call (median over rounds).
 */
function ratio(num, den) {
  const perRound = num.roundMedians.map((m, i) => m / den.roundMedians[i]).sort((a, b) => a - b);
  return {
    median: num.medianNs / den.medianNs,
    p99: num.p99Ns / den.p99Ns,
    pairedMedian: perRound[Math.floor((perRound.length - 1) / 2)],
    addedNs: num.medianNs - den.medianNs,
    cpu: num.cpuNs / den.cpuNs,
    cpuAddedNs: num.cpuNs - den.cpuNs,
  };
}
