import type { VaultEndpoint } from './types.js';

/**
 * Key Vault service limits, per vault per region per 10 s (weighted; the
 * subscription-wide limit is 5x). Managed HSM does not throttle crypto
 * operations. https://learn.microsoft.com/azure/key-vault/general/service-limits
 */

/** How a key is protected; a request does not reveal it, so it is configured. */
export type KeyProtection = 'software' | 'hsm';
/** RSA key size; EC keys count as 2048. */
export type KeySize = 2048 | 3072 | 4096;
/** Protection and size of a key, for the limits of its operations. */
export interface KeyProfile {
  readonly protection: KeyProtection;
  readonly size: KeySize;
}
/** Options of {@link limitFor} and {@link ThrottleMeter}. */
export interface LimitOptions {
  /** Profile of keys not listed in `keyProfiles`. Default software RSA-2048. */
  readonly defaultKeyProfile?: KeyProfile;
  /** Profiles by key name. */
  readonly keyProfiles?: Readonly<Record<string, KeyProfile>>;
}
/** The limit class of an operation and its limit per 10 s; `limit` 0 means not throttled. */
export interface LimitClass {
  readonly limitClass: string;
  readonly limit: number;
}

/** The service-limits table, by limit class. */
export const SERVICE_LIMITS: Readonly<Record<string, number>> = Object.freeze({
  'keys.hsm.create': 10,
  'keys.hsm.2048': 2000,
  'keys.hsm.3072': 500,
  'keys.hsm.4096': 250,
  'keys.software.create': 20,
  'keys.software.2048': 4000,
  'keys.software.3072': 1000,
  'keys.software.4096': 500,
  'secrets.create': 300,
  'vault.all': 4000,
});

const DEFAULT_PROFILE: KeyProfile = { protection: 'software', size: 2048 };
const UNTHROTTLED: LimitClass = Object.freeze({ limitClass: 'managed_hsm.unthrottled', limit: 0 });
/** Creating a key version: create, import and rotate all mint key material. */
const KEY_CREATES = new Set(['keys.create', 'keys.import', 'keys.rotate']);
const CLASSES = new Map<string, LimitClass>(
  Object.entries(SERVICE_LIMITS).map(([limitClass, limit]) => [limitClass, Object.freeze({ limitClass, limit })]),
);

function cls(name: string): LimitClass {
  return CLASSES.get(name) ?? (CLASSES.get('vault.all') as LimitClass);
}

/**
 * The limit class of a call and its limit per 10 s, assuming software
 * RSA-2048 keys unless `options` says otherwise.
 * @example limitFor(parseVaultUrl('https://v.vault.azure.net/secrets/a', 'PUT')!) // { limitClass: 'secrets.create', limit: 300 }
 */
export function limitFor(endpoint: VaultEndpoint, options?: LimitOptions): LimitClass {
  const op = endpoint.operation;
  if (op.startsWith('keys.') && op !== 'keys.getrandombytes') {
    if (endpoint.kind === 'managed_hsm') return UNTHROTTLED;
    const name = endpoint.objectName;
    const profile =
      (name !== undefined && options?.keyProfiles && Object.hasOwn(options.keyProfiles, name)
        ? options.keyProfiles[name]
        : undefined) ?? options?.defaultKeyProfile ?? DEFAULT_PROFILE;
    const protection = profile.protection === 'hsm' ? 'hsm' : 'software';
    if (KEY_CREATES.has(op)) return cls(`keys.${protection}.create`);
    return cls(`keys.${protection}.${profile.size === 4096 || profile.size === 3072 ? profile.size : 2048}`);
  }
  if (endpoint.kind === 'managed_hsm') return UNTHROTTLED;
  if (op === 'secrets.set') return cls('secrets.create');
  return cls('vault.all');
}

/** Options of {@link ThrottleMeter}. */
export interface ThrottleMeterOptions extends LimitOptions {
  /** Vaults tracked at most (least recently used dropped first). Default 1000. */
  readonly maxVaults?: number;
}

const WINDOW_MS = 10_000;
const BUCKETS = 20;
const BUCKET_MS = WINDOW_MS / BUCKETS;

interface Window {
  readonly limit: number;
  readonly counts: Uint32Array;
  tick: number;
}

function advance(w: Window, tick: number): void {
  if (tick <= w.tick) return;
  if (tick - w.tick >= BUCKETS) w.counts.fill(0);
  else for (let t = w.tick + 1; t <= tick; t++) w.counts[t % BUCKETS] = 0;
  w.tick = tick;
}

function sum(counts: Uint32Array): number {
  let s = 0;
  for (let i = 0; i < counts.length; i++) s += counts[i] as number;
  return s;
}

/**
 * This process's use of each vault's throttling budget: per vault, a sliding
 * 10 s window (20 buckets of 500 ms) per limit class; utilization is the
 * weighted sum of count / limit across classes (Key Vault enforces the sum),
 * so 1 means the budget is used up. Memory is bounded by `maxVaults`.
 * @example const meter = new ThrottleMeter(); meter.record(endpoint).utilization
 */
export class ThrottleMeter {
  readonly #maxVaults: number;
  readonly #options: LimitOptions;
  readonly #vaults = new Map<string, Map<string, Window>>();

  constructor(options: ThrottleMeterOptions = {}) {
    const maxVaults = options.maxVaults ?? 1000;
    if (!Number.isInteger(maxVaults) || maxVaults < 1) {
      throw new TypeError(`ThrottleMeter maxVaults must be a positive integer, got ${String(options.maxVaults)}`);
    }
    this.#maxVaults = maxVaults;
    this.#options = options;
  }

  /** Number of vaults tracked. */
  get size(): number {
    return this.#vaults.size;
  }

  /**
   * Counts one call (unless `throttled`: throttled requests do not count
   * against the limit) and returns its class's limit and the vault's
   * utilization after it.
   */
  record(endpoint: VaultEndpoint, now: number = Date.now(), options?: { throttled?: boolean }): LimitClass & { utilization: number } {
    const { limitClass, limit } = limitFor(endpoint, this.#options);
    const tick = Math.floor(now / BUCKET_MS);
    const name = endpoint.vaultName;
    let classes = this.#vaults.get(name);
    if (classes) {
      this.#vaults.delete(name);
    } else {
      classes = new Map();
      if (this.#vaults.size >= this.#maxVaults) {
        const oldest = this.#vaults.keys().next();
        if (!oldest.done) this.#vaults.delete(oldest.value);
      }
    }
    this.#vaults.set(name, classes);
    if (limit > 0 && options?.throttled !== true) {
      let w = classes.get(limitClass);
      if (!w) {
        w = { limit, counts: new Uint32Array(BUCKETS), tick };
        classes.set(limitClass, w);
      }
      advance(w, tick);
      // A clock that stepped back counts into the newest bucket.
      const slot = w.tick % BUCKETS;
      w.counts[slot] = (w.counts[slot] as number) + 1;
    }
    return { limitClass, limit, utilization: this.#utilization(classes, tick) };
  }

  /** The vault's utilization over the last 10 s (0 for an unknown vault). */
  utilization(vaultName: string, now: number = Date.now()): number {
    const classes = this.#vaults.get(vaultName);
    return classes ? this.#utilization(classes, Math.floor(now / BUCKET_MS)) : 0;
  }

  /** Names of the vaults tracked, least recently used first. */
  vaultNames(): string[] {
    return [...this.#vaults.keys()];
  }

  #utilization(classes: Map<string, Window>, tick: number): number {
    let u = 0;
    for (const w of classes.values()) {
      advance(w, tick);
      u += sum(w.counts) / w.limit;
    }
    return u;
  }
}
