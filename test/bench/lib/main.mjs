// Orders the phases: vault process, one OTel SDK, instrumentations, the
// interleaved side-by-side run, micro ns/op, the memory run, the report.
import { clientsFor } from './clients.mjs';
import { buildInstrumentations, KVTRACE } from './instrumentations.mjs';
import { runMemory } from './memory.mjs';
import { runMicro } from './micro.mjs';
import { readOptions } from './options.mjs';
import { installOtel } from './otel.mjs';
import { machine, printReport, writeReport, writeResultsMarkdown } from './report.mjs';
import { runSideBySide } from './side-by-side.mjs';
import { startVaultProcess } from './vault-server.mjs';

export async function main() {
  const options = readOptions();
  const started = Date.now();
  const otel = installOtel();
  const vault = await startVaultProcess();
  const clients = clientsFor(vault);
  try {
    const inst = await buildInstrumentations(clients.fetchNonVault);
    // The SDK's challenge handshake happens once, here, outside any round.
    await clients.getSecret();
    const report = { date: new Date().toISOString(), machine: machine(), options, kvtrace: KVTRACE, kvtraceChannels: inst.kvtraceChannels };
    const want = (phase) => options.only === undefined || options.only === phase;
    const timed = async (phase, fn) => {
      const t0 = Date.now();
      const result = await fn();
      log(`${phase} took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      return result;
    };
    if (want('side-by-side')) {
      log(`side by side: ${options.rounds} rounds x ${options.perRound} timed calls per variant (+${options.warmup} warm-up)`);
      report.sideBySide = await timed('side by side', () => runSideBySide({ inst, clients, otel, ...options }));
    }
    if (want('micro')) {
      log(`micro: ns/op${options.coreMicro ? " (core's micro.mjs, then kvtrace's hooks)" : ' (kvtrace hooks only; BENCH_CORE_MICRO=1 adds core)'}`);
      report.micro = await timed('micro', () => runMicro({ inst, clients, ...options }));
    }
    if (want('memory')) {
      log(`memory: ${options.memoryCalls} vault calls, ${options.memoryTokens} distinct tokens (${options.memoryMode})`);
      report.memory = await timed('memory', () => runMemory({ inst, clients, vault, otel, ...options }));
    }
    report.staleSocketRetries = clients.retries.count;
    report.seconds = (Date.now() - started) / 1000;
    printReport(report);
    const file = await writeReport(report);
    log(`written ${file}`);
    if (process.argv.includes('--results-md')) {
      const args = process.argv.slice(2).filter((a) => a !== '--results-md');
      log(`written ${await writeResultsMarkdown(report, ['node test/bench/run.mjs', ...args].join(' '))}`);
    }
  } finally {
    clients.close();
    await vault.close();
    await otel.shutdown();
  }
}

function log(line) {
  process.stderr.write(`bench: ${line}\n`);
}
