/**
 * Argument parsing for `kvtrace`. Hand-written rather than node:util
 * parseArgs because parseArgs quotes offending arguments in its error
 * messages, and an offending argument may be a token pasted in the wrong
 * place: usage errors here name options, never values.
 */

/** Exit codes scripts can rely on. */
export const EXIT_OK = 0;
export const EXIT_PROBLEM = 1;
export const EXIT_USAGE = 2;

/** A usage error: printed with the usage text, exit code 2. Never holds an argument's value. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'KVTRACE_USAGE';
}

/** What `kvtrace explain` was asked, before any file or stdin was read. */
export interface ExplainArgs {
  /** `<jwt>`, `Bearer <jwt>`, `@file` or `-` (stdin). */
  readonly token?: string;
  readonly vault?: string;
  /** Expected tenant id of the vault (from its challenge or the portal). */
  readonly tenant?: string;
  readonly status?: number;
  /** JSON text, `@file` or `-`. */
  readonly body?: string;
  /** A captured raw HTTP response (`curl -i` output): `@file` or `-`. */
  readonly response?: string;
  /** `Name: value` response headers, e.g. `Retry-After: 10`. */
  readonly headers: readonly string[];
  readonly userAgent?: string;
  /** Time the request was sent, epoch ms (default now). */
  readonly at?: number;
  readonly json: boolean;
}

export type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'explain'; readonly args: ExplainArgs };

const VALUE_OPTIONS = new Set(['--token', '--vault', '--tenant', '--status', '--body', '--response', '--header', '--user-agent', '--at']);

function parseStatus(text: string): number {
  if (!/^[1-5][0-9][0-9]$/.test(text)) throw new UsageError('--status must be an HTTP status code (100-599)');
  return Number(text);
}

function parseAt(text: string): number {
  if (/^[0-9]{9,11}$/.test(text)) return Number(text) * 1000;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new UsageError('--at must be an ISO 8601 date or epoch seconds');
  return ms;
}

/**
 * Parses `kvtrace` arguments (without `node` and the script path).
 * Accepts `--name value` and `--name=value`.
 * @example parseCommand(['explain', '--token', '@token.txt', '--vault', 'https://myvault.vault.azure.net'])
 */
export function parseCommand(argv: readonly string[]): Command {
  const [command, ...rest] = argv;
  if (command === undefined) throw new UsageError('missing command: kvtrace explain [options]');
  if (command === '-h' || command === '--help' || command === 'help') return { kind: 'help' };
  if (command === '-v' || command === '--version') return { kind: 'version' };
  if (command !== 'explain') throw new UsageError('unknown command; the command is `kvtrace explain`');

  const values = new Map<string, string>();
  const headers: string[] = [];
  let json = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    if (arg === '--json') {
      json = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (!VALUE_OPTIONS.has(name)) {
      // Name the option only when it looks like one: a stray argument may be a token.
      throw new UsageError(
        /^--?[A-Za-z][A-Za-z-]{0,30}$/.test(name) ? `unknown option ${name}` : `unexpected argument #${i + 2} (values go after an option such as --token)`,
      );
    }
    let value: string | undefined;
    if (name !== arg) value = arg.slice(eq + 1);
    else {
      value = rest[i + 1];
      i++;
    }
    if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
    if (name === '--header') headers.push(value);
    else if (values.has(name)) throw new UsageError(`${name} given twice`);
    else values.set(name, value);
  }

  const stdinUsers = ['--token', '--body', '--response'].filter((n) => values.get(n) === '-');
  if (stdinUsers.length > 1) throw new UsageError(`only one of ${stdinUsers.join(', ')} can read stdin (-)`);
  if (values.has('--body') && values.has('--response')) throw new UsageError('--body and --response both give the response body: use one');
  if (!values.has('--token') && !values.has('--body') && !values.has('--response') && !values.has('--status')) {
    throw new UsageError('nothing to explain: give --token, --status/--body, or --response');
  }

  const status = values.get('--status');
  const at = values.get('--at');
  const args: ExplainArgs = {
    ...(values.has('--token') ? { token: values.get('--token') as string } : {}),
    ...(values.has('--vault') ? { vault: values.get('--vault') as string } : {}),
    ...(values.has('--tenant') ? { tenant: values.get('--tenant') as string } : {}),
    ...(status !== undefined ? { status: parseStatus(status) } : {}),
    ...(values.has('--body') ? { body: values.get('--body') as string } : {}),
    ...(values.has('--response') ? { response: values.get('--response') as string } : {}),
    ...(values.has('--user-agent') ? { userAgent: values.get('--user-agent') as string } : {}),
    ...(at !== undefined ? { at: parseAt(at) } : {}),
    headers,
    json,
  };
  return { kind: 'explain', args };
}

export const USAGE = `Usage: kvtrace explain [options]

Offline diagnosis of an Azure Key Vault token, error response, or both.
Nothing is sent anywhere; the token is never printed.

Token:
  --token <jwt|@file|->    access token (raw, "Bearer <jwt>" or an Authorization line)
  --vault <url>            vault (or request) URL: checks the token's audience
  --tenant <id>            the vault's tenant id: checks the token's tenant
  --at <iso|epoch-s>       when the request was sent (default: now)

Response:
  --status <code>          HTTP status the vault answered (inferred from --body's code when absent)
  --body <json|@file|->    the error body
  --response <@file|->     a captured raw response (curl -i): status line, headers, body
  --header "Name: value"   a response header (repeatable), e.g. "Retry-After: 10"
  --user-agent <ua>        the request's User-Agent (decides handshake vs missing token)

Output:
  --json                   one JSON object instead of text

Exit codes: 0 no problem found, 1 a problem diagnosed, 2 usage error.
`;
