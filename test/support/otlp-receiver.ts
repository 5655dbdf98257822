/**
 * A local OTLP/HTTP receiver: what the real exporter puts on the wire is what
 * a collector (and so Jaeger) would store. It keeps every request's raw bytes
 * (for leak scans) and decodes traces and metrics, protobuf or JSON.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { decodeMetrics, decodeTraces, type ReceivedMetric, type ReceivedSpan } from './otlp-decode.js';

export type { AttrValue, Attributes, ReceivedMetric, ReceivedPoint, ReceivedSpan } from './otlp-decode.js';

export interface ReceivedRequest {
  path: string;
  contentType: string;
  /** As received (possibly gzip). */
  raw: Buffer;
  /** Decompressed. */
  body: Buffer;
}

export class OtlpReceiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly decodeErrors: string[] = [];

  private constructor(
    private readonly server: Server,
    /** Base endpoint, e.g. `http://127.0.0.1:43123` (for OTEL_EXPORTER_OTLP_ENDPOINT). */
    readonly url: string,
  ) {}

  static async start(): Promise<OtlpReceiver> {
    let receiver: OtlpReceiver | undefined;
    const server = createServer((req, res) => {
      void readAll(req).then(
        (raw) => {
          receiver?.store(req, raw);
          const json = String(req.headers['content-type'] ?? '').includes('json');
          res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
          res.end(json ? '{}' : undefined);
        },
        () => {
          res.writeHead(400);
          res.end();
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    receiver = new OtlpReceiver(server, `http://127.0.0.1:${port}`);
    return receiver;
  }

  private store(req: IncomingMessage, raw: Buffer): void {
    const gzip = String(req.headers['content-encoding'] ?? '').includes('gzip');
    this.requests.push({
      path: (req.url ?? '').split('?')[0] ?? '',
      contentType: String(req.headers['content-type'] ?? ''),
      raw,
      body: gzip ? gunzipSync(raw) : raw,
    });
  }

  /** Every span received so far. */
  spans(): ReceivedSpan[] {
    return this.requests.filter((r) => r.path === '/v1/traces').flatMap((r) => this.decode(() => decodeTraces(r.body, r.contentType)));
  }

  /** Every metric received so far (one entry per metric per export). */
  metrics(): ReceivedMetric[] {
    return this.requests.filter((r) => r.path === '/v1/metrics').flatMap((r) => this.decode(() => decodeMetrics(r.body, r.contentType)));
  }

  /** The latest export of a metric (cumulative temporality: it holds the totals). */
  latestMetric(name: string): ReceivedMetric | undefined {
    return this.metrics().filter((m) => m.name === name).at(-1);
  }

  /** All bytes received, raw and decompressed, for leak scans. */
  allBytes(): Buffer {
    return Buffer.concat(this.requests.flatMap((r) => [r.raw, r.body]));
  }

  /** Content types seen on a path, to prove which encoding the exporter used. */
  contentTypes(path: string): string[] {
    return [...new Set(this.requests.filter((r) => r.path === path).map((r) => r.contentType))];
  }

  get errors(): readonly string[] {
    return this.decodeErrors;
  }

  async waitFor(predicate: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`OtlpReceiver: timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  clear(): void {
    this.requests.length = 0;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private decode<T>(fn: () => T[]): T[] {
    try {
      return fn();
    } catch (error) {
      this.decodeErrors.push(String(error));
      return [];
    }
  }
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
