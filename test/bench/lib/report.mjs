// The table on stdout and the same figures as JSON (results/latest.json).
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));
const RESULTS_MD = fileURLToPath(new URL('../RESULTS.md', import.meta.url));

/** Targets of issue 8; `max` is inclusive. */
export const TARGETS = {
  'C/B': { max: 1.03, what: 'kvtrace on fetch vs stock instrumentation-undici (median)' },
  'F/E': { max: 1.03, what: 'kvtrace on SecretClient vs stock instrumentation-http (median)' },
  'non-vault fetch NC/NB': { max: 1.01, what: 'non-vault fetch, kvtrace vs stock (median)' },
  'non-vault http NF/NE': { max: 1.01, what: 'non-vault node:http, kvtrace vs stock (median)' },
  claimsCacheHitNs: { max: 1000, what: 'ClaimsCache.get hit, ns/op' },
  diagnoseNs: { max: 5000, what: 'diagnose (slowest case), ns/op' },
  heapGrowthMB: { max: 10, what: 'heap growth after GC over the memory run, MB' },
};

export function machine() {
  const cpus = os.cpus();
  return {
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGB: Math.round(os.totalmem() / 2 ** 30),
    loadAvgAtStart: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
}

/** Every target with its figure and verdict; a missing figure is `not measured`, never `met`. */
export function verdicts(report) {
  const figures = {
    ...Object.fromEntries(Object.entries(report.sideBySide?.ratios ?? {}).map(([k, v]) => [k, v.median])),
    claimsCacheHitNs: report.micro?.claimsCacheHitNs,
    diagnoseNs: report.micro?.diagnoseNs,
    heapGrowthMB: report.memory?.heapGrowthMB,
  };
  return Object.entries(TARGETS).map(([key, t]) => {
    const value = figures[key];
    const status = typeof value !== 'number' || Number.isNaN(value) ? 'not measured' : value <= t.max ? 'met' : 'MISSED';
    return { key, what: t.what, value, max: t.max, status };
  });
}

const us = (ns) => (ns / 1000).toFixed(1);
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);

export function formatReport(report) {
  const lines = [];
  const m = report.machine;
  lines.push(`kvtrace bench ${report.date}  node ${m.node}  ${m.cpus} x ${m.cpuModel}  load at start ${m.loadAvgAtStart.join(' ')}`);
  if (report.kvtrace !== '@kvtrace/instrumentation') lines.push(`kvtrace under test: ${report.kvtrace}`);
  const sbs = report.sideBySide;
  if (sbs) {
    lines.push('', `per request (${report.options.rounds} interleaved rounds x ${report.options.perRound} calls, ${sbs.seconds.toFixed(0)} s)`);
    lines.push(`${pad('', 4)}${pad('variant', 52)}${lpad('median us', 11)}${lpad('p99 us', 10)}${lpad('cpu us', 9)}${lpad('spans', 8)}`);
    for (const v of sbs.variants) {
      lines.push(
        `${pad(v.name, 4)}${pad(v.label, 52)}${lpad(us(v.medianNs), 11)}${lpad(us(v.p99Ns), 10)}${lpad(us(v.cpuNs), 9)}${lpad(v.verified.spans, 8)}`,
      );
    }
    lines.push('', `${pad('ratio', 24)}${lpad('median', 8)}${lpad('paired', 8)}${lpad('p99', 8)}${lpad('added us', 10)}${lpad('cpu', 8)}${lpad('cpu +us', 9)}`);
    for (const [k, r] of Object.entries(sbs.ratios)) {
      lines.push(
        `${pad(k, 24)}${lpad(r.median.toFixed(3), 8)}${lpad(r.pairedMedian.toFixed(3), 8)}${lpad(r.p99.toFixed(3), 8)}` +
          `${lpad(us(r.addedNs), 10)}${lpad(r.cpu.toFixed(3), 8)}${lpad(us(r.cpuAddedNs), 9)}`,
      );
    }
  }
  if (report.micro?.rows) {
    lines.push('', `${pad('micro', 52)}${lpad('ns/op cpu', 11)}${lpad('ns/op wall', 12)}`);
    for (const row of report.micro.rows) lines.push(`${pad(row.name, 52)}${lpad(row.cpuNs, 11)}${lpad(row.wallNs, 12)}`);
  }
  const share = nonVaultHookShare(report);
  if (share) {
    lines.push(
      `kvtrace hooks on a non-vault fetch, by micro: ${share.hookNs} ns cpu = ${(share.fraction * 100).toFixed(2)}% of NB's median ` +
        '(what the non-vault ratio resolves only down to its noise)',
    );
  }
  const mem = report.memory;
  if (mem?.heapGrowthMB !== undefined) {
    lines.push(
      '',
      `memory (${mem.mode}): ${mem.calls} vault calls, ${mem.tokens} distinct tokens in ${mem.seconds.toFixed(1)} s; ` +
        `heap after GC ${mem.heapBeforeMB.toFixed(2)} -> ${mem.heapAfterMB.toFixed(2)} MB, growth ${mem.heapGrowthMB.toFixed(2)} MB ` +
        `(peak seen ${mem.heapPeakMB.toFixed(1)} MB, ${mem.callsPerSecond} calls/s)`,
    );
    if (mem.note) lines.push(`  ${mem.note}`);
  }
  lines.push('', 'targets');
  for (const v of verdicts(report)) {
    const value = typeof v.value === 'number' ? (v.value < 10 ? v.value.toFixed(3) : v.value.toFixed(0)) : '-';
    lines.push(`  ${pad(v.status, 13)}${pad(v.key, 24)}${lpad(value, 9)} <= ${pad(v.max, 6)} ${v.what}`);
  }
  lines.push('', `total ${report.seconds.toFixed(0)} s`);
  return lines.join('\n');
}

/** The per-request cost of kvtrace's hooks on a non-vault request over a stock non-vault fetch's median latency. */
export function nonVaultHookShare(report) {
  const hookNs = report.micro?.hookNonVaultNs;
  const nb = report.sideBySide?.variants.find((v) => v.name === 'NB');
  if (typeof hookNs !== 'number' || !nb) return undefined;
  return { hookNs, fraction: hookNs / nb.medianNs };
}

export function printReport(report) {
  process.stdout.write(`${formatReport(report)}\n`);
}

export async function writeReport(report) {
  await mkdir(RESULTS, { recursive: true });
  const file = `${RESULTS}latest.json`;
  const json = { ...report, nonVaultHookShare: nonVaultHookShare(report), targets: verdicts(report), table: formatReport(report) };
  await writeFile(file, `${JSON.stringify(json, null, 2)}\n`);
  return file;
}

/** `--results-md`: the committed copy of a measured run (date, machine, command, table). */
export async function writeResultsMarkdown(report, command) {
  const m = report.machine;
  const text = [
    '# kvtrace benchmark: measured figures',
    '',
    `Measured ${report.date} on ${m.cpus} x ${m.cpuModel}, ${m.memoryGB} GB, ${m.os}, Node ${m.node}; ` +
      `load average at start ${m.loadAvgAtStart.join(' ')}.`,
    '',
    `Command: \`${command}\` (see [README.md](README.md) for what each line means).`,
    '',
    '```text',
    formatReport(report),
    '```',
    '',
  ].join('\n');
  await writeFile(RESULTS_MD, text);
  return RESULTS_MD;
}
