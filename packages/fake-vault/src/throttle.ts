import type { ThrottleReason } from './texts.js';

/**
 * Key Vault's service limits (DESIGN.md "Service limits"): per vault, per
 * 10 s, per operation class; the vault enforces the weighted sum
 * count/limit over all classes, and throttled requests do not count.
 */
export const LIMITS: Readonly<Record<string, number>> = {
  'hsm-key-create': 10,
  'hsm-key-2048': 2000,
  'hsm-key-3072': 500,
  'hsm-key-4096': 250,
  'software-key-create': 20,
  'software-key-2048': 4000,
  'software-key-3072': 1000,
  'software-key-4096': 500,
  'secrets-create': 300,
  other: 4000,
};

export const WINDOW_MS = 10_000;

export interface ThrottlingOptions {
  /** Multiplies every limit (0.005 turns 4000 into 20); each scaled limit is at least 1. Default 1. */
  readonly scale?: number;
  /** Send `Retry-After` (seconds until enough budget frees up) on 429s. Default true. */
  readonly retryAfter?: boolean;
  /** Window length in ms. Key Vault's is 10 000; tests may shorten it to see the release sooner. */
  readonly windowMs?: number;
}

/** What a request costs: its limit class. */
export function limitClass(collection: string, operation: string, key?: { kty: string; size: number; isEc: boolean }): string {
  if (collection === 'secrets') return operation === 'set' ? 'secrets-create' : 'other';
  if (collection !== 'keys') return 'other';
  const hsm = (key?.kty ?? '').endsWith('-HSM');
  if (operation === 'create') return hsm ? 'hsm-key-create' : 'software-key-create';
  if (!['sign', 'verify', 'encrypt', 'decrypt', 'wrapKey', 'unwrapKey'].includes(operation) || !key) return 'other';
  // A request does not reveal the key size to kvtrace, but the vault knows it: EC counts as 2048.
  const size = key.isEc ? 2048 : key.size;
  return `${hsm ? 'hsm' : 'software'}-key-${size}`;
}

export type ThrottleDecision = { ok: true } | { ok: false; retryAfterS: number; reason: ThrottleReason };

/** Sliding 10-second windows per class for one vault. */
export class ThrottleMeter {
  private readonly windows = new Map<string, number[]>();
  private readonly windowMs: number;
  constructor(readonly options: ThrottlingOptions) {
    this.windowMs = options.windowMs ?? WINDOW_MS;
  }

  limit(cls: string): number {
    return Math.max(1, Math.round((LIMITS[cls] ?? LIMITS.other!) * (this.options.scale ?? 1)));
  }

  private prune(now: number): void {
    for (const [cls, times] of this.windows) {
      while (times.length && times[0]! <= now - this.windowMs) times.shift();
      if (!times.length) this.windows.delete(cls);
    }
  }

  /** The weighted sum over the window, 1.0 = budget used up. */
  utilization(now = Date.now()): number {
    this.prune(now);
    let sum = 0;
    for (const [cls, times] of this.windows) sum += times.length / this.limit(cls);
    return sum;
  }

  /** Admits and records the request, or says how long to wait; throttled requests are not recorded. */
  admit(cls: string, now = Date.now()): ThrottleDecision {
    const used = this.utilization(now);
    const own = (this.windows.get(cls)?.length ?? 0) + 1;
    // Epsilon: 20 requests at limit 20 sum to exactly 1.0 despite floating point.
    if (used + 1 / this.limit(cls) <= 1 + 1e-9) {
      const times = this.windows.get(cls) ?? [];
      times.push(now);
      this.windows.set(cls, times);
      return { ok: true };
    }
    const oldest = Math.min(...[...this.windows.values()].map((t) => t[0] ?? now));
    const retryAfterS = Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000));
    return { ok: false, retryAfterS, reason: own > this.limit(cls) ? 'VaultRequestTypeLimitReached' : 'VaultOperationLimitReached' };
  }
}
