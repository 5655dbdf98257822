/**
 * Scans captured bytes (OTLP requests, console output, logs, answers) for
 * thousands of forbidden strings at once. Every forbidden string is checked
 * in several encodings (raw, base64, base64url, URL-encoded); each form is
 * reduced to one distinctive window, and the haystack's windows are looked
 * up in a Set, so the scan stays linear in the bytes however many values
 * there are. Generic patterns catch tokens the test never saw (the ones the
 * app's own credential obtained).
 */

const WINDOW = 24;
/** Characters any forbidden form is made of: base64, base64url, JWT dots, URL escapes, Entra secret tildes. */
const RUN = /[A-Za-z0-9+/=_\-.~%]{24,}/g;

export interface LeakFinding {
  what: string;
  form: string;
}

export interface ScanReport {
  bytes: number;
  values: number;
  forms: number;
  findings: LeakFinding[];
  patterns: string[];
}

/** The forms a value may take once it leaves the process. */
export function formsOf(value: string): Record<string, string> {
  return {
    raw: value,
    base64: Buffer.from(value).toString('base64'),
    base64url: Buffer.from(value).toString('base64url'),
    url: encodeURIComponent(value),
    urlTwice: encodeURIComponent(encodeURIComponent(value)),
  };
}

/** Forbidden strings for one token: itself, its signature segment, and `Bearer <token>`'s encodings. */
export function tokenValues(token: string): string[] {
  const signature = token.split('.')[2];
  return [token, `Bearer ${token}`, ...(signature !== undefined && signature.length >= WINDOW ? [signature] : [])];
}

/** JWT-shaped text (header.payload), `Bearer <credential>`, and base64 of a JWT (`eyJ` -> `ZXlK`). */
const GENERIC: Record<string, RegExp> = {
  jwt: /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}/,
  bearer: /Bearer\s+[A-Za-z0-9._~+/-]{16,}/,
  base64Jwt: /ZXlK[A-Za-z0-9+/]{30,}/,
  urlBearer: /Bearer%20[A-Za-z0-9._~-]{16,}/,
  clientSecretField: /client_secret=/,
};

export class LeakScanner {
  private readonly windows = new Map<string, LeakFinding>();
  private values = 0;

  /** Adds a value that must not appear (shorter than 24 characters: refused, the scan would not be sound). */
  forbid(value: string, what: string): void {
    if (value.length < WINDOW) throw new Error(`forbidden value too short to scan soundly: ${what}`);
    this.values += 1;
    for (const [form, text] of Object.entries(formsOf(value))) {
      // Late in the text: a JWT's signature (unique per token) fills its last third; its payload middle is often shared.
      const at = Math.floor((text.length - WINDOW) * 0.85);
      this.windows.set(text.slice(at, at + WINDOW), { what, form });
    }
  }

  get size(): number {
    return this.values;
  }

  scan(haystacks: readonly (string | Buffer)[]): ScanReport {
    const findings: LeakFinding[] = [];
    const patterns: string[] = [];
    let bytes = 0;
    for (const h of haystacks) {
      const text = typeof h === 'string' ? h : h.toString('latin1');
      bytes += typeof h === 'string' ? Buffer.byteLength(h) : h.length;
      for (const run of text.matchAll(RUN)) {
        const s = run[0];
        for (let i = 0; i + WINDOW <= s.length; i++) {
          const hit = this.windows.get(s.slice(i, i + WINDOW));
          if (hit !== undefined) findings.push(hit);
        }
      }
      // Protobuf strings are raw UTF-8, so the same patterns apply to OTLP bytes.
      for (const [name, re] of Object.entries(GENERIC)) {
        const m = re.exec(text);
        if (m) patterns.push(`${name}: ${m[0].slice(0, 24)}...`);
      }
    }
    return { bytes, values: this.values, forms: this.windows.size, findings, patterns };
  }
}
