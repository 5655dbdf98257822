// Run sizes, from the environment; `--quick` shrinks the defaults for a
// smoke run of the harness (figures from it are not worth quoting).

const FULL = {
  rounds: 160,
  perRound: 20,
  warmup: 5,
  memoryCalls: 200_000,
  memoryTokens: 20_000,
  memoryConcurrency: 16,
  memoryMode: 'hooks',
  coreMicro: 1,
};

const QUICK = {
  rounds: 10,
  perRound: 10,
  warmup: 3,
  memoryCalls: 20_000,
  memoryTokens: 2_000,
  memoryConcurrency: 16,
  memoryMode: 'hooks',
  // core's micro-benchmark has fixed iteration counts (~60 s of CPU): off in a smoke run.
  coreMicro: 0,
};

const ENV = {
  rounds: 'BENCH_ROUNDS',
  perRound: 'BENCH_PER_ROUND',
  warmup: 'BENCH_WARMUP',
  memoryCalls: 'BENCH_MEMORY_CALLS',
  memoryTokens: 'BENCH_MEMORY_TOKENS',
  memoryConcurrency: 'BENCH_MEMORY_CONCURRENCY',
  memoryMode: 'BENCH_MEMORY_MODE',
  coreMicro: 'BENCH_CORE_MICRO',
};

export function readOptions(argv = process.argv.slice(2), env = process.env) {
  const quick = argv.includes('--quick');
  const options = { quick, ...(quick ? QUICK : FULL) };
  for (const [key, name] of Object.entries(ENV)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    if (key === 'memoryMode') {
      if (raw !== 'http' && raw !== 'hooks') throw new TypeError(`${name} must be 'http' or 'hooks'`);
      options[key] = raw;
      continue;
    }
    const value = Number(raw);
    if (key === 'coreMicro') {
      if (value !== 0 && value !== 1) throw new TypeError(`${name} must be 0 or 1`);
    } else if (!Number.isInteger(value) || value <= 0) {
      throw new TypeError(`${name} must be a positive integer`);
    }
    options[key] = value;
  }
  for (const only of ['side-by-side', 'micro', 'memory']) {
    if (argv.includes(`--only=${only}`)) options.only = only;
  }
  return options;
}
