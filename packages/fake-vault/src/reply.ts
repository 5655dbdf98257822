import type { ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { VaultReply } from './vault-error.js';

/** Writes a vault answer, optionally gzip-encoded or cut short (fault injection). */
export function writeReply(res: ServerResponse, reply: VaultReply, headers: Record<string, string>, how: { gzip: boolean; truncate: boolean }): void {
  let payload = Buffer.from(reply.body === undefined ? '' : JSON.stringify(reply.body));
  if (payload.length) headers['content-type'] = 'application/json; charset=utf-8';
  if (how.gzip && payload.length) {
    payload = gzipSync(payload);
    headers['content-encoding'] = 'gzip';
    headers.vary = 'Accept-Encoding';
  }
  headers['content-length'] = String(payload.length);
  res.writeHead(reply.status, headers);
  if (how.truncate) {
    // The announced length is never delivered: the client sees a premature close mid-body.
    res.write(payload.subarray(0, Math.floor(payload.length / 2)), () => res.socket?.destroy());
    return;
  }
  res.end(payload);
}
