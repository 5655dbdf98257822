/**
 * A small bounded memo for parsers whose inputs repeat: a vault sends the
 * same WWW-Authenticate value on every 401 and the same error body for the
 * same failure, so a repeated input costs a Map lookup instead of a parse.
 * When full it starts over (cheaper than LRU bookkeeping, and still bounded).
 */
export class BoundedMemo<V> {
  readonly #map = new Map<string, V>();
  constructor(
    private readonly maxEntries: number,
    private readonly maxKeyChars: number,
  ) {}

  get(key: string, compute: (key: string) => V): V {
    if (key.length > this.maxKeyChars) return compute(key);
    const hit = this.#map.get(key);
    if (hit !== undefined || this.#map.has(key)) return hit as V;
    const value = compute(key);
    if (this.#map.size >= this.maxEntries) this.#map.clear();
    this.#map.set(key, value);
    return value;
  }
}
