// Interleaved measurement: every round runs each variant once, a short batch
// each, in a fresh random order, so machine noise from the other tenants of a
// shared 2-core box lands on all variants alike. Short batches and many
// rounds, because this box's speed swings by 2x within seconds; a random
// order, because a fixed one gives each variant the same predecessor (a
// rotation put B2, identical to B, 5-10% off B). Only one variant's
// instrumentation is enabled at any moment.

/** A scavenge before each timed batch: the previous variant's young garbage is not this one's bill (~0.1 ms). */
const scavenge = typeof globalThis.gc === 'function' ? () => globalThis.gc({ type: 'minor' }) : () => {};

/** mulberry32: a seeded generator, so a run's orders can be replayed. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled(items, next) {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

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
  const next = random(0x6b767472);
  for (let r = 0; r < rounds; r++) {
    for (const v of shuffled(variants, next)) {
      await otel.flush();
      otel.exporter.reset();
      v.enable();
      try {
        for (let w = 0; w < warmup; w++) await v.call();
        scavenge();
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
