import { BoundedMemo } from './memo.js';
import type { VaultErrorBody } from './types.js';

/** Bodies are read up to this many characters; Key Vault's are < 2 KB. */
export const MAX_BODY_CHARS = 64 * 1024;
const MAX_MESSAGE_CHARS = 1024;
const MAX_VALUE_CHARS = 256;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function str(v: unknown, max = MAX_VALUE_CHARS): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v.slice(0, max) : undefined;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** First inner code down the `innererror` / `innerError` chain (depth-bounded). */
function innerCode(error: Record<string, unknown>): string | undefined {
  let inner = record(error.innererror) ?? record(error.innerError);
  for (let depth = 0; inner && depth < 8; depth++) {
    const code = str(inner.code);
    if (code) return code;
    inner = record(inner.innererror) ?? record(inner.innerError);
  }
  return undefined;
}

/** A JSON string literal's content after `"key":`, for truncated or invalid JSON. */
function looseString(text: string, key: string): string | undefined {
  const m = new RegExp(`"${key}"\\s*:\\s*"((?:[^"\\\\]|\\\\.){0,${MAX_MESSAGE_CHARS}})`).exec(text);
  if (!m?.[1]) return undefined;
  try {
    return JSON.parse(`"${m[1]}"`) as string;
  } catch {
    return m[1].replace(/\\r\\n|\\n/g, '\n');
  }
}

function first(re: RegExp, text: string): string | undefined {
  const m = re.exec(text);
  return m?.[1] ? m[1].slice(0, MAX_VALUE_CHARS) : undefined;
}

/**
 * The value after `marker` (at a word start), up to the first stop
 * character; indexOf-based because this runs on every failed call.
 */
function after(message: string, marker: string, stops: Uint8Array): string | undefined {
  let at = message.indexOf(marker);
  while (at > 0 && isWordChar(message.charCodeAt(at - 1))) at = message.indexOf(marker, at + 1);
  if (at < 0) return undefined;
  const start = at + marker.length;
  const limit = Math.min(message.length, start + MAX_VALUE_CHARS);
  let end = start;
  for (; end < limit; end++) {
    const c = message.charCodeAt(end);
    if (c < 128 && stops[c] === 1) break;
  }
  return end > start ? message.slice(start, end) : undefined;
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function stopSet(chars: string): Uint8Array {
  const set = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) set[chars.charCodeAt(i)] = 1;
  return set;
}

const STOPS = stopSet(";'\", \r\n\t");
const QUOTE_STOPS = stopSet("'\r\n");

/**
 * What Key Vault's real messages reveal (texts in DESIGN.md "Real error
 * texts"). Each pattern runs only when its anchor word is present: this runs
 * on every failed call, and an unanchored `\w+LimitReached` alone cost more
 * than the JSON parse.
 */
function reveal(out: Mutable<VaultErrorBody>, message: string): void {
  if (message.includes('AKV')) {
    const akv = first(/\b(AKV\d{5})\b/, message);
    if (akv) out.akvCode = akv;
  }
  if (message.includes('Client address:')) {
    const address = first(/Client address:\s*([0-9A-Fa-f:.]+[0-9A-Fa-f])/, message);
    if (address) out.clientAddress = address;
  }
  const appid = after(message, 'appid=', STOPS);
  if (appid) out.callerAppId = appid;
  const oid = after(message, 'oid=', STOPS);
  if (oid) out.callerOid = oid;
  if (message.includes('permission')) {
    const permission = /does not have ([A-Za-z]+) ([A-Za-z]+) permission/.exec(message);
    if (permission?.[1] && permission[2]) out.permission = `${permission[1]} ${permission[2]}`.slice(0, MAX_VALUE_CHARS);
  }
  const action = after(message, "Action: '", QUOTE_STOPS);
  if (action) out.action = action;
  const reason = after(message, "DecisionReason: '", STOPS);
  if (reason) out.decisionReason = reason;
  const limitAt = message.indexOf('LimitReached');
  if (limitAt > 0) {
    let from = limitAt;
    while (from > 0 && /[A-Za-z]/.test(message.charAt(from - 1))) from--;
    if (from < limitAt) out.throttleReason = message.slice(from, limitAt + 12).slice(0, MAX_VALUE_CHARS);
  }
  // AKV10022 / AKV10032: "Expected X, found: Y." and "Expected one of X, ..., found Y."
  if (message.includes('Expected')) {
    const expected = first(/Expected (?:one of )?([^\s,]+?),?(?:\s|$)/, message);
    if (expected) out.expected = expected;
    const found = first(/,\s*found:?\s*([^\s,]+?)\.?(?:\s|$)/, message);
    if (found) out.found = found;
  }
}

/**
 * Parses a Key Vault error body (`{"error":{"code","message","innererror":{"code"}}}`),
 * tolerant of `innerError`, nested or missing inner errors, truncated JSON,
 * HTML pages and plain text. Returns what the message reveals (AKV code,
 * client address, caller, permission, RBAC action, throttle reason, expected
 * and found values). `null` for an empty body. Never throws.
 * @example parseErrorBody('{"error":{"code":"Throttled","message":"... Reason: VaultRequestTypeLimitReached"}}').throttleReason
 */
export function parseErrorBody(body: string | null | undefined): VaultErrorBody | null {
  if (typeof body !== 'string' || body.length === 0) return null;
  // Only Key Vault error envelopes are memoised: a caller passing some other
  // body (a secret's value, say) must not have it kept in a module-level map.
  return body.includes('"error"') ? memo.get(body, parse) : parse(body);
}

const memo = new BoundedMemo<VaultErrorBody | null>(64, 4096);

function parse(body: string): VaultErrorBody | null {
  try {
    const text = body.length > MAX_BODY_CHARS ? body.slice(0, MAX_BODY_CHARS) : body;
    if (text.trim().length === 0) return null;
    const out: Mutable<VaultErrorBody> = {};
    let parsed: Record<string, unknown> | undefined;
    const trimmed = text.trimStart();
    if (trimmed.startsWith('{')) {
      try {
        parsed = record(JSON.parse(trimmed));
      } catch {
        parsed = undefined;
      }
    }
    let message: string | undefined;
    if (parsed) {
      const error = record(parsed.error) ?? parsed;
      const code = str(error.code);
      if (code) out.code = code;
      const inner = innerCode(error);
      if (inner) out.innerCode = inner;
      message = str(error.message, MAX_MESSAGE_CHARS) ?? str(error.Message, MAX_MESSAGE_CHARS);
    } else if (trimmed.startsWith('{')) {
      const code = looseString(text, 'code');
      if (code) out.code = code.slice(0, MAX_VALUE_CHARS);
      const inner = /"inner[eE]rror"\s*:\s*\{\s*"code"\s*:\s*"([^"]{1,256})"/.exec(text)?.[1];
      if (inner) out.innerCode = inner;
      message = looseString(text, 'message')?.slice(0, MAX_MESSAGE_CHARS);
    } else if (/^<(!doctype|html)/i.test(trimmed)) {
      // Gateways answer with HTML pages: the title is the only useful part.
      message = first(/<title>([^<]{1,256})<\/title>/i, text);
    } else {
      message = text.slice(0, MAX_MESSAGE_CHARS);
    }
    if (message) {
      out.message = message;
      reveal(out, message);
    }
    return Object.freeze(out);
  } catch {
    return null;
  }
}
