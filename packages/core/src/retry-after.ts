import type { HeaderBag } from './types.js';

/** A day: anything longer is not a retry hint anyone should honour. */
const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

function header(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name];
  return typeof v === 'string' ? v.trim() : undefined;
}

function milliseconds(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d+(\.\d+)?$/.test(v)) return undefined;
  const ms = Math.ceil(Number(v));
  return ms <= MAX_RETRY_AFTER_MS ? ms : undefined;
}

/**
 * The retry delay a vault asked for, in ms, from `retry-after-ms`,
 * `x-ms-retry-after-ms` (checked first, as the Azure SDK does) or
 * `retry-after` (delta-seconds or HTTP-date, RFC 9110 10.2.3). `undefined`
 * when there is none or it does not parse. Names must be lower-cased.
 * @example parseRetryAfter({ 'retry-after': '7' }) // 7000
 */
export function parseRetryAfter(headers: HeaderBag | null | undefined, now: number = Date.now()): number | undefined {
  try {
    if (!headers || typeof headers !== 'object') return undefined;
    const ms = milliseconds(header(headers, 'retry-after-ms')) ?? milliseconds(header(headers, 'x-ms-retry-after-ms'));
    if (ms !== undefined) return ms;
    const ra = header(headers, 'retry-after');
    if (ra === undefined || ra.length === 0 || ra.length > 64) return undefined;
    if (/^\d+$/.test(ra)) {
      const s = Number(ra) * 1000;
      return s <= MAX_RETRY_AFTER_MS ? s : undefined;
    }
    // HTTP-date: only a string with letters (Date.parse accepts far too much).
    if (!/[A-Za-z]{3}/.test(ra)) return undefined;
    const at = Date.parse(ra);
    if (!Number.isFinite(at)) return undefined;
    const delta = Math.max(0, Math.ceil(at - now));
    return delta <= MAX_RETRY_AFTER_MS ? delta : undefined;
  } catch {
    return undefined;
  }
}
