import { readFile } from 'node:fs/promises';
import { UsageError } from './args.js';

/** Largest input read from a file or stdin: tokens and error bodies are a few KB. */
const MAX_INPUT_BYTES = 1024 * 1024;

/** Reads stdin to the end (bounded). */
export async function readStdin(stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > MAX_INPUT_BYTES) throw new UsageError('stdin is larger than 1 MiB');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Resolves an option value: `-` reads stdin, `@path` reads a file, anything
 * else is the value itself. Errors name the option, not the value.
 */
export async function resolveValue(option: string, value: string, stdin?: NodeJS.ReadableStream): Promise<string> {
  if (value === '-') return readStdin(stdin);
  if (!value.startsWith('@')) return value;
  const path = value.slice(1);
  try {
    const buf = await readFile(path);
    if (buf.length > MAX_INPUT_BYTES) throw new UsageError(`${option}: file is larger than 1 MiB`);
    return buf.toString('utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    // The path is the user's own; it is not the token.
    throw new UsageError(`${option}: cannot read ${path} (${code})`);
  }
}

/**
 * Turns what a user pasted into an Authorization header value: accepts a bare
 * JWT, `Bearer <jwt>`, `PoP <jwt>`, or a whole `Authorization: Bearer <jwt>`
 * line copied from a log or HAR file.
 */
export function toAuthorizationValue(text: string): string {
  let value = text.trim();
  const header = /^authorization\s*:\s*/i.exec(value);
  if (header) value = value.slice(header[0].length);
  return /^\S+\s+\S/.test(value) ? value : `Bearer ${value}`;
}

/** A captured response: status, lower-cased headers, body. */
export interface CapturedResponse {
  readonly status?: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Parses `curl -i` / raw HTTP/1.1 or HTTP/2 response text. When curl followed
 * redirects or got a `100 Continue`, the last response wins.
 */
export function parseRawResponse(text: string): CapturedResponse {
  const normalised = text.replace(/\r\n/g, '\n');
  let rest = normalised.trimStart();
  let status: number | undefined;
  let headers: Record<string, string> = {};
  for (;;) {
    const line = /^HTTP\/[0-9.]+\s+([1-5][0-9][0-9])[^\n]*\n?/.exec(rest);
    if (!line) break;
    status = Number(line[1]);
    headers = {};
    rest = rest.slice(line[0].length);
    const end = rest.indexOf('\n\n');
    const block = end < 0 ? rest : rest.slice(0, end);
    rest = end < 0 ? '' : rest.slice(end + 2);
    for (const h of block.split('\n')) {
      const colon = h.indexOf(':');
      if (colon > 0) headers[h.slice(0, colon).trim().toLowerCase()] = h.slice(colon + 1).trim();
    }
  }
  if (status === undefined) throw new UsageError('--response: no HTTP status line found (expected `curl -i` output)');
  return { status, headers, body: rest };
}

/** Parses repeated `--header "Name: value"` options. */
export function parseHeaderOptions(values: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const v of values) {
    const colon = v.indexOf(':');
    if (colon <= 0) throw new UsageError('--header must look like "Name: value"');
    headers[v.slice(0, colon).trim().toLowerCase()] = v.slice(colon + 1).trim();
  }
  return headers;
}
