import zlib from 'node:zlib';

/**
 * Keeps a bounded copy of an error response's bytes as they go by, and turns
 * them into text once the body is complete. It never consumes the stream: the
 * caller hands it copies of chunks the application receives anyway.
 */
export class BodyCapture {
  private readonly chunks: Buffer[] = [];
  private stored = 0;
  /** Bytes seen on the wire (compressed when the response is). */
  received = 0;

  constructor(
    private readonly maxBytes: number,
    /** `content-encoding`, lower-cased; unknown encodings yield no text. */
    private readonly encoding: string | undefined,
    /** `content-length` when the response framed its body with one. */
    readonly expectedLength: number | undefined,
  ) {}

  /** Copies what fits of `chunk`; returns true once content-length says the body is complete. */
  add(chunk: unknown): boolean {
    const bytes = toBuffer(chunk);
    if (bytes !== undefined) {
      this.received += bytes.length;
      const room = this.maxBytes - this.stored;
      if (room > 0) {
        // A copy: the parser may reuse the memory behind a chunk once it has been consumed.
        const copy = Buffer.from(bytes.subarray(0, room));
        this.chunks.push(copy);
        this.stored += copy.length;
      }
    }
    return this.expectedLength !== undefined && this.received >= this.expectedLength;
  }

  /** The body as text (at most maxBytes of it), or undefined when it cannot be decoded. */
  text(): string | undefined {
    if (this.stored === 0) return undefined;
    const raw = Buffer.concat(this.chunks, this.stored);
    const decoded = decode(raw, this.encoding, this.maxBytes);
    return decoded === undefined ? undefined : decoded.subarray(0, this.maxBytes).toString('utf8');
  }
}

function toBuffer(chunk: unknown): Buffer | undefined {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  return undefined;
}

/**
 * Undoes `content-encoding` (possibly a list, applied in order) on a prefix of
 * the body. Flush modes accept a truncated stream; `maxOutputLength` bounds a
 * decompression bomb. Anything unexpected yields undefined, never a throw.
 */
function decode(raw: Buffer, encoding: string | undefined, maxBytes: number): Buffer | undefined {
  const codings = (encoding ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '' && c !== 'identity')
    .reverse();
  let data = raw;
  try {
    for (const coding of codings) {
      if (coding === 'gzip' || coding === 'x-gzip') {
        data = zlib.gunzipSync(data, { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: maxBytes });
      } else if (coding === 'deflate') {
        data = inflateEither(data, maxBytes);
      } else if (coding === 'br') {
        data = zlib.brotliDecompressSync(data, {
          finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
          maxOutputLength: maxBytes,
        });
      } else {
        return undefined;
      }
    }
  } catch {
    return undefined;
  }
  return data;
}

/** HTTP `deflate` is meant to be zlib-wrapped, but servers also send raw deflate. */
function inflateEither(data: Buffer, maxBytes: number): Buffer {
  const options = { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: maxBytes };
  try {
    return zlib.inflateSync(data, options);
  } catch {
    return zlib.inflateRawSync(data, options);
  }
}
