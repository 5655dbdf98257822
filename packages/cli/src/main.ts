import { readFileSync } from 'node:fs';
import { EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, USAGE, UsageError, parseCommand } from './args.js';
import type { ExplainArgs } from './args.js';
import { explain } from './explain.js';
import type { ExplainInput } from './explain.js';
import { formatJson, formatText } from './format.js';
import { parseHeaderOptions, parseRawResponse, resolveValue, toAuthorizationValue } from './inputs.js';

/** Where `main` reads and writes; the bin passes the process's own streams. */
export interface CliIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

async function readInput(args: ExplainArgs, stdin: NodeJS.ReadableStream): Promise<ExplainInput> {
  let status = args.status;
  let body: string | undefined;
  let headers: Record<string, string> = {};
  if (args.response !== undefined) {
    const captured = parseRawResponse(await resolveValue('--response', args.response, stdin));
    status ??= captured.status;
    headers = captured.headers;
    body = captured.body.trim() === '' ? undefined : captured.body;
  }
  if (args.body !== undefined) body = await resolveValue('--body', args.body, stdin);
  headers = { ...headers, ...parseHeaderOptions(args.headers) };
  const token = args.token === undefined ? undefined : await resolveValue('--token', args.token, stdin);
  return {
    ...(token !== undefined ? { authorization: toAuthorizationValue(token) } : {}),
    ...(args.vault !== undefined ? { vault: args.vault } : {}),
    ...(args.tenant !== undefined ? { tenant: args.tenant } : {}),
    ...(status !== undefined ? { status } : {}),
    ...(body !== undefined ? { body } : {}),
    headers,
    ...(args.userAgent !== undefined ? { userAgent: args.userAgent } : {}),
    ...(args.at !== undefined ? { at: args.at } : {}),
  };
}

/**
 * Runs `kvtrace` and returns its exit code: 0 no problem found, 1 a problem
 * diagnosed, 2 usage error. Never writes the token, nor any error message
 * that could quote it.
 * @example process.exitCode = await main(process.argv.slice(2), process);
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let json = false;
  try {
    const command = parseCommand(argv);
    if (command.kind === 'help') {
      io.stdout.write(USAGE);
      return EXIT_OK;
    }
    if (command.kind === 'version') {
      io.stdout.write(`${version()}\n`);
      return EXIT_OK;
    }
    json = command.args.json;
    const report = explain(await readInput(command.args, io.stdin));
    const code = report.problem ? EXIT_PROBLEM : EXIT_OK;
    io.stdout.write(json ? formatJson(report, code) : formatText(report));
    return code;
  } catch (err) {
    // UsageError messages are written to name options only. Any other
    // error's message could quote input (V8's JSON.parse errors quote the
    // text they choke on), so only its class is shown.
    const message = err instanceof UsageError ? err.message : `unexpected ${err instanceof Error ? err.name : 'error'}`;
    if (json) io.stdout.write(`${JSON.stringify({ error: message, exitCode: EXIT_USAGE })}\n`);
    io.stderr.write(`kvtrace: ${message}\n${err instanceof UsageError ? 'Run `kvtrace explain --help` for usage.\n' : ''}`);
    return EXIT_USAGE;
  }
}
