/**
 * Starts test/fixtures/kv-app.{mjs,cjs} as a real child process the way a user
 * would (`node --import @kvtrace/register app.mjs`), with fake-vault's resolve
 * preload and CA, and drives it over HTTP on loopback.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TEST_DIR = dirname(dirname(fileURLToPath(import.meta.url)));

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface AppOptions {
  /** `kv-app.mjs` (ESM) or `kv-app.cjs` (CommonJS). */
  entry: 'kv-app.mjs' | 'kv-app.cjs';
  /** How kvtrace is loaded; `null` runs the app without kvtrace. */
  preload: '--import' | '--require' | null;
  /** What `preload` loads (default `@kvtrace/register`). */
  preloadModule?: string;
  /** fake-vault's `env()` plus OTEL_* / KVTRACE_* for the case. */
  env: Record<string, string>;
}

export class AppProcess {
  stdout = '';
  stderr = '';
  port = 0;
  readonly exited: Promise<ExitInfo>;

  private constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (t: string) => (this.stdout += t));
    child.stderr!.setEncoding('utf8').on('data', (t: string) => (this.stderr += t));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  static async start(options: AppOptions): Promise<AppProcess> {
    const args = ['--import', '@kvtrace/fake-vault/resolve'];
    if (options.preload !== null) args.push(options.preload, options.preloadModule ?? '@kvtrace/register');
    args.push(join('fixtures', options.entry));
    const child = spawn(process.execPath, args, { cwd: TEST_DIR, env: cleanEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
    const app = new AppProcess(child);
    const deadline = Date.now() + 20_000;
    while (app.port === 0) {
      const line = /^\{"port":(\d+)\}$/m.exec(app.stdout);
      if (line) app.port = Number(line[1]);
      else if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`app did not start (exit ${child.exitCode}): ${app.stderr}`);
      } else await new Promise((r) => setTimeout(r, 25));
    }
    return app;
  }

  /** GET a case route; returns the app's JSON answer. */
  async get(path: string, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
    const res = await fetch(`http://127.0.0.1:${this.port}${path}`, { headers });
    return (await res.json()) as Record<string, unknown>;
  }

  /** Asks the app to close its server, then waits for the process to end on its own. */
  async shutdown(): Promise<ExitInfo> {
    await fetch(`http://127.0.0.1:${this.port}/shutdown`, { method: 'POST', headers: { connection: 'close' } });
    return this.exited;
  }

  kill(signal: NodeJS.Signals): Promise<ExitInfo> {
    this.child.kill(signal);
    return this.exited;
  }
}

/** The parent's environment minus anything that would configure the child's telemetry behind the test's back. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(OTEL_|KVTRACE_|AZURE_|VITEST|NODE_OPTIONS$|NODE_EXTRA_CA_CERTS$)/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}
