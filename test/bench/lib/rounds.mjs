// Interleaved measurement: every round runs each variant once, in a rotated
// order (ABC, BCA, CAB, ...), so machine noise from the other tenants of a
// shared 2-core box lands on all variants alike instead of on whichever ran
// last. Only one variant's instrumentation is enabled at any moment.

const gc = typeof globalThis.gc === 'function' ? globalThis.gc : () => {};

/**
 * @typedef {object} Variant
 * @property {string} name                 short label, e.g. `A`
 * @property {string} label                what it measures
 * @property {() => void} enable           switch its instrumentation on (nothing for a floor variant)
 * @property {() => void} disable          and off again
 * @property {() => Promise<unknown>} call one request, awaited to the end of its body
 * @property {number} spansPerCall          client spans one call must produce (0 for a floor variant)
 * @property {boolean} kvtrace             whether those spans must carry `keyvault.*` attributes
 * @property {{ call: () => Promise<unknown>, kvtrace: boolean }} [probe]
 *   one untimed call after the timed ones, e.g. a vault call after non-vault
 *   calls: its span carries `keyvault.*` exactly when kvtrace's hooks were on
 */

/**
 * @param {object} o
 * @param {Variant[]} o.variants
 * @param {number} o.rounds
 * @param {number} o.perRound   timed calls per variant per round
 * @param {number} o.warmup     untimed calls per variant per round (JIT, connection, token cache)
 * @param {{ exporter: import('./otel.mjs').CountingExporter, flush: () => Promise<void> }} o.otel
 */
export async function runInterleaved({ variants, rounds, perRound, warmup, otel }) {
  const samples = new Map(variants.map((v) => [v.name, new Float64Array(rounds * perRound)]));
  const roundMedians = new Map(variants.map((v) => [v.name, []]));
  // CPU time of this process per call: on a shared box, wall time includes
  // waiting for a core; CPU time mostly does not.
  const roundCpu = new Map(variants.map((v) => [v.name, []]));
  const checks = new Map(variants.map((v) => [v.name, { rounds: 0, spans: 0, kvtraceSpans: 0 }]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < variants.length; i++) {
      const v = variants[(i + r) % variants.length];
      await otel.flush();
      otel.exporter.reset();
      v.enable();
      try {
        for (let w = 0; w < warmup; w++) await v.call();
        gc();
        const out = samples.get(v.name);
        const offset = r * perRound;
        const cpu0 = process.cpuUsage();
        for (let n = 0; n < perRound; n++) {
          const t0 = process.hrtime.bigint();
          await v.call();
          out[offset + n] = Number(process.hrtime.bigint() - t0);
        }
        const cpu = process.cpuUsage(cpu0);
        roundCpu.get(v.name).push(((cpu.user + cpu.system) * 1000) / perRound);
        roundMedians.get(v.name).push(median(out.slice(offset, offset + perRound)));
        if (v.probe) await v.probe.call();
      } finally {
        v.disable();
      }
      await otel.flush();
      verifyRound(v, warmup + perRound, otel.exporter, r);
      const c = checks.get(v.name);
      c.rounds++;
      c.spans += otel.exporter.spans;
      c.kvtraceSpans += otel.exporter.kvtraceSpans;
    }
  }
  return variants.map((v) => ({
    name: v.name,
    label: v.label,
    ...summarize(samples.get(v.name)),
    roundMedians: roundMedians.get(v.name),
    cpuNs: median(roundCpu.get(v.name)),
    roundCpu: roundCpu.get(v.name),
    verified: checks.get(v.name),
  }));
}

/** Fails the run when a round did not run the variant it claims: a figure for the wrong variant is worse than none. */
function verifyRound(v, calls, exporter, round) {
  const probe = v.probe ? 1 : 0;
  const wantSpans = calls * v.spansPerCall + probe;
  const wantKv = (v.kvtrace ? calls * v.spansPerCall : 0) + (v.probe?.kvtrace ? 1 : 0);
  if (exporter.spans !== wantSpans || exporter.kvtraceSpans !== wantKv) {
    throw new Error(
      `round ${round} variant ${v.name} (${v.label}): expected ${wantSpans} spans (${wantKv} with keyvault.*), ` +
        `exported ${exporter.spans} (${exporter.kvtraceSpans} with keyvault.*)`,
    );
  }
}

export function median(values) {
  return quantile(values, 0.5);
}

/** Nearest-rank quantile of a copy of `values`. */
export function quantile(values, q) {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

function summarize(values) {
  const sorted = Float64Array.from(values).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  let sum = 0;
  for (const x of sorted) sum += x;
  return { n: sorted.length, medianNs: at(0.5), p99Ns: at(0.99), meanNs: sum / sorted.length };
}
