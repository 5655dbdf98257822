/**
 * A plain HTTP server on 127.0.0.1 that answers like a vault refusing access
 * (the real 403 access-policy text), framed as asked: `/secrets/<framing>`.
 * Tests point kvtrace at it with `vaultHosts: ['127.0.0.1']`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';

export const ACCESS_DENIED = JSON.stringify({
  error: {
    code: 'Forbidden',
    message:
      "The user, group or application 'appid=11111111-2222-3333-4444-555555555555;oid=66666666-7777-8888-9999-000000000000;iss=https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/' does not have secrets get permission on key vault 'myvault;location=eastus'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287",
    innererror: { code: 'AccessDenied' },
  },
});
/** Larger than the tests' maxBodyBytes: the app must still read every byte. */
export const LARGE = JSON.stringify({ error: { code: 'Forbidden', message: 'x'.repeat(100_000), innererror: { code: 'AccessDenied' } } });
export const SECRET_BUNDLE = JSON.stringify({ value: 's3cr3t-value', id: 'x' });

export type Framing = 'plain' | 'gzip' | 'chunked' | 'chunked-gzip' | 'large';
export const FRAMINGS: Framing[] = ['plain', 'gzip', 'chunked', 'chunked-gzip', 'large'];

export function bodyFor(framing: Framing): string {
  return framing === 'large' ? LARGE : ACCESS_DENIED;
}

export interface LocalVault {
  readonly origin: string;
  close(): Promise<void>;
}

export async function startLocalVault(): Promise<LocalVault> {
  const server = http.createServer((req, res) => {
    const framing = (req.url ?? '').split('/')[2]?.split('?')[0] as Framing | 'ok';
    const headers = { 'content-type': 'application/json; charset=utf-8', 'x-ms-request-id': `req-${framing}` };
    if (framing === 'ok') {
      res.writeHead(200, { ...headers, 'content-length': Buffer.byteLength(SECRET_BUNDLE) }).end(SECRET_BUNDLE);
      return;
    }
    const body = Buffer.from(bodyFor(framing));
    if (framing === 'plain' || framing === 'large') {
      res.writeHead(403, { ...headers, 'content-length': body.length }).end(body);
    } else if (framing === 'gzip') {
      const z = zlib.gzipSync(body);
      res.writeHead(403, { ...headers, 'content-encoding': 'gzip', 'content-length': z.length }).end(z);
    } else {
      // Chunked: no content-length, pieces spread over several event-loop turns.
      const payload = framing === 'chunked-gzip' ? zlib.gzipSync(body) : body;
      res.writeHead(403, { ...headers, ...(framing === 'chunked-gzip' && { 'content-encoding': 'gzip' }) });
      const third = Math.ceil(payload.length / 3);
      // Chained, not two timers of different delays: Node does not promise
      // that a 5 ms and a 10 ms timer fire in that order when the loop is busy.
      res.write(payload.subarray(0, third));
      setTimeout(() => {
        res.write(payload.subarray(third, 2 * third));
        setTimeout(() => res.end(payload.subarray(2 * third)), 5);
      }, 5);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
