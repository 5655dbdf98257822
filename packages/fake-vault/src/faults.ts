/** Which requests a fault applies to. All given fields must match. */
export interface FaultMatch {
  /** HTTP method, e.g. `GET`. */
  readonly method?: string;
  /** Path prefix (`/secrets/db`) or a RegExp tested against the path. */
  readonly path?: string | RegExp;
  /** Operation, e.g. `get`, `set`, `sign` (as in the limits and permissions). */
  readonly operation?: string;
}

/** One fault scenario; faults only hit requests that carry a valid token, so the SDK's challenge handshake stays intact. */
export interface Fault {
  /** Answer this status instead of running the operation (with `body` or a generic Key Vault error body). */
  readonly status?: number;
  /** Body for a forced status (JSON-encoded). */
  readonly body?: unknown;
  /** Extra response headers, e.g. `{ 'retry-after': '2' }`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Delay before answering, in ms. */
  readonly latencyMs?: number;
  /** Destroy the connection without answering (the client sees ECONNRESET / socket hang up). */
  readonly reset?: boolean;
  /** Send the headers and half of the body, then drop the connection. */
  readonly truncate?: boolean;
  /** gzip-encode the response body (when the client accepts gzip). */
  readonly gzip?: boolean;
  /** Answer a CAE claims challenge (401, `error="insufficient_claims"`), as after a token revocation. */
  readonly claimsChallenge?: boolean;
  /** Requests this scenario applies to. */
  readonly match?: FaultMatch;
  /** How many requests it hits; default: until cleared. */
  readonly times?: number;
}

export class FaultTable {
  private readonly faults: Array<{ fault: Fault; left: number }> = [];

  add(fault: Fault): void {
    this.faults.push({ fault, left: fault.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.faults.length = 0;
  }

  /** The first matching fault, consumed once. */
  take(method: string, path: string, operation: string): Fault | undefined {
    const i = this.faults.findIndex(({ fault: { match: m = {} } }) =>
      (m.method === undefined || m.method.toUpperCase() === method) &&
      (m.operation === undefined || m.operation === operation) &&
      (m.path === undefined || (typeof m.path === 'string' ? path.startsWith(m.path) : m.path.test(path))),
    );
    if (i < 0) return undefined;
    const entry = this.faults[i]!;
    entry.left -= 1;
    if (entry.left <= 0) this.faults.splice(i, 1);
    return entry.fault;
  }
}
