/**
 * A real Prometheus for end-to-end tests: started on a random 127.0.0.1 port
 * with its own config, rules and TSDB in a temporary directory, queried
 * through its HTTP API, stopped and cleaned up afterwards. The binaries come
 * from Debian's `prometheus` package (scripts/ensure-prometheus.sh).
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './free-port.js';

/** Full path of an executable on PATH, or undefined. */
export function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Both binaries, or undefined when either is missing. */
export function findPrometheus(): { prometheus: string; promtool: string } | undefined {
  const prometheus = which('prometheus');
  const promtool = which('promtool');
  return prometheus && promtool ? { prometheus, promtool } : undefined;
}

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs promtool; resolves with its exit code and output (never rejects on a non-zero exit). */
export function promtool(args: readonly string[], cwd?: string): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    execFile('promtool', args, { cwd, timeout: 20_000 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return reject(err);
      resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
    });
  });
}


/** An alert as `/api/v1/alerts` returns it. */
export interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
  value: string;
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface StartPrometheusOptions {
  /** Scrape targets, `127.0.0.1:<port>`. */
  targets: readonly string[];
  /** Rule files: file name -> YAML text. */
  rules?: Readonly<Record<string, string>>;
  /** Scrape and evaluation interval (default `1s`). */
  interval?: string;
  jobName?: string;
}

export interface RunningPrometheus {
  readonly url: string;
  readonly port: number;
  /** Everything Prometheus logged (for failure messages). */
  log(): string;
  alerts(): Promise<PromAlert[]>;
  query(expr: string): Promise<PromSample[]>;
  /** Polls until `check` returns a value other than undefined, or throws after `timeoutMs`. */
  waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs?: number): Promise<T>;
  /** Waits until every target has been scraped successfully once. */
  waitForTargetsUp(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

async function api<T>(base: string, path: string): Promise<T> {
  const res = await fetch(`${base}${path}`);
  const json = (await res.json()) as { status: string; data: T; error?: string };
  if (json.status !== 'success') throw new Error(`Prometheus ${path}: ${json.error ?? res.status}`);
  return json.data;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Starts Prometheus scraping `targets` every `interval` and evaluating
 * `rules` as often. Resolves once `/-/ready` answers.
 * @example const prom = await startPrometheus({ targets: ['127.0.0.1:9464'], rules: { 'a.yml': text } });
 */
export async function startPrometheus(options: StartPrometheusOptions): Promise<RunningPrometheus> {
  const bins = findPrometheus();
  if (!bins) throw new Error('prometheus/promtool not on PATH: run scripts/ensure-prometheus.sh');
  const interval = options.interval ?? '1s';
  const dir = await mkdtemp(join(tmpdir(), 'kvtrace-prom-'));
  const ruleFiles = Object.keys(options.rules ?? {});
  for (const [name, text] of Object.entries(options.rules ?? {})) await writeFile(join(dir, name), text);
  const config = [
    'global:',
    `  scrape_interval: ${interval}`,
    `  scrape_timeout: ${interval}`,
    `  evaluation_interval: ${interval}`,
    ...(ruleFiles.length ? ['rule_files:', ...ruleFiles.map((f) => `  - ${JSON.stringify(f)}`)] : []),
    'scrape_configs:',
    `  - job_name: ${JSON.stringify(options.jobName ?? 'kvtrace-app')}`,
    '    static_configs:',
    `      - targets: [${options.targets.map((t) => JSON.stringify(t)).join(', ')}]`,
    '',
  ].join('\n');
  await writeFile(join(dir, 'prometheus.yml'), config);

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(
    bins.prometheus,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      '--log.level=warn',
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (output += c));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A test worker that dies mid-test must not leave a Prometheus behind.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const stop = async (): Promise<void> => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  const waitFor = async <T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`Prometheus exited (${child.exitCode}) while waiting for ${what}:\n${output}`);
      try {
        const value = await check();
        if (value !== undefined) return value;
      } catch (err) {
        lastError = err;
      }
      await sleep(200);
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}\n${output}`);
  };

  const running: RunningPrometheus = {
    url,
    port,
    log: () => output,
    alerts: async () => (await api<{ alerts: PromAlert[] }>(url, '/api/v1/alerts')).alerts,
    query: async (expr) => (await api<{ result: PromSample[] }>(url, `/api/v1/query?query=${encodeURIComponent(expr)}`)).result,
    waitFor,
    waitForTargetsUp: async (timeoutMs = 15_000) => {
      await waitFor(
        'scrape targets up',
        async () => {
          const data = await api<{ activeTargets: { health: string }[] }>(url, '/api/v1/targets');
          return data.activeTargets.length > 0 && data.activeTargets.every((t) => t.health === 'up') ? true : undefined;
        },
        timeoutMs,
      );
    },
    stop,
  };

  try {
    await waitFor('Prometheus to be ready', async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined), 20_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return running;
}

/**
 * Scales the example rules for a test: time windows and `for:` durations
 * shrink, and the budget threshold becomes `threshold x scale`. The
 * expressions are otherwise the ones users deploy.
 */
export function scaleRules(
  text: string,
  options: { window: string; forDuration: string; budgetThreshold: string; scaledThreshold: number },
): string {
  const threshold = options.budgetThreshold.replace(/\./g, '\\.');
  const scaled = text
    .replace(/\[5m\]/g, `[${options.window}]`)
    .replace(/\[1m\]/g, `[${options.window}]`)
    .replace(/offset 5m/g, `offset ${options.window}`)
    .replace(/^(\s+for:\s*)\S+/gm, `$1${options.forDuration}`)
    .replace(new RegExp(`> ${threshold}(\\s|$)`, 'gm'), `> ${options.scaledThreshold}$1`);
  return scaled;
}
