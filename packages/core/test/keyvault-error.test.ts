import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { inspect } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyVaultError } from '../src/index.js';
import { BODIES } from './helpers/texts.js';
import { OBJECT_ID, mintToken, signatureOf } from './helpers/tokens.js';

let server: Server;
let base = '';
let hugeCancelled = false;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.includes('scenario=throttled')) {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '4', 'x-ms-request-id': 'req-1', 'set-cookie': 'session=abc' });
      res.end(BODIES.throttled);
    } else if (req.url?.startsWith('/rbac-gzip')) {
      res.writeHead(403, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(BODIES.rbac));
    } else if (req.url?.startsWith('/huge')) {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.write(BODIES.firewall.slice(0, BODIES.firewall.indexOf('from unknown')));
      const chunk = 'x'.repeat(64 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 10_000 && res.write(chunk)) sent++;
        if (sent < 10_000 && !res.destroyed) res.once('drain', pump);
        else res.end();
      };
      res.on('close', () => {
        if (sent < 10_000) hugeCancelled = true;
      });
      pump();
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":{"code":"SecretNotFound","message":"A secret with (name/id) db-password was not found in this key vault."}}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('KeyVaultError.fromResponse on real fetch responses', () => {
  it('carries the diagnosis, status, retry delay and safe headers, never the token', async () => {
    const token = await mintToken();
    const authorization = `Bearer ${token}`;
    const url = `${base}/secrets/db-password?api-version=7.5&sig=should-go&scenario=throttled`;
    const res = await fetch(url, { headers: { authorization } });
    const err = await KeyVaultError.fromResponse(res, { url, method: 'get', authorization }, { extraHosts: [new URL(base).host] });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('KeyVaultError');
    expect(err).toMatchObject({ status: 429, code: 'KV_ERR_THROTTLED', retryAfterMs: 4000, retryable: true, method: 'GET', operation: 'secrets.get' });
    expect(err.url).toBe(`${base}/secrets/db-password?api-version=7.5`);
    expect(err.headers['x-ms-request-id']).toBe('req-1');
    expect(err.headers).not.toHaveProperty('set-cookie');
    expect(err.diagnosis).toMatchObject({ cause: 'throttled', outcome: 'throttled', errorCode: 'Throttled' });
    expect(err.message).toMatch(/failed with 429 \(throttled\): .*VaultRequestTypeLimitReached.*wait the 4 s/);
    for (const view of [JSON.stringify(err), inspect(err, { depth: 10, showHidden: true }), err.stack ?? '']) {
      expect(view).not.toContain(signatureOf(token));
      expect(view).not.toContain(token.split('.')[1]);
      expect(view).not.toContain('should-go');
      expect(view).not.toContain('session=abc');
    }
  });

  it('reads a gzip-compressed body and masks the object name on request', async () => {
    const url = 'https://myvault.vault.azure.net/secrets/db-password?api-version=7.5';
    const res = await fetch(`${base}/rbac-gzip`);
    const err = await KeyVaultError.fromResponse(res, { url, method: 'GET', authorization: `Bearer ${await mintToken()}` }, { recordObjectNames: false });
    expect(err).toMatchObject({ code: 'KV_ERR_RBAC', status: 403, vaultName: 'myvault', retryable: true });
    expect(err.url).toBe('https://myvault.vault.azure.net/secrets/REDACTED?api-version=7.5');
    expect(err.diagnosis.hint).toContain(OBJECT_ID);
    expect(err.message).not.toContain('db-password');
  });

  it('reads a huge body only up to the bound and cancels the rest', async () => {
    const res = await fetch(`${base}/huge`);
    const started = Date.now();
    const err = await KeyVaultError.fromResponse(res, { url: 'https://myvault.vault.azure.net/secrets/a' }, { maxBodyBytes: 4096 });
    expect(err.code).toBe('KV_ERR_FIREWALL');
    expect(err.diagnosis.hint).toContain('203.0.113.7');
    expect(Date.now() - started).toBeLessThan(5000);
    await new Promise((r) => setTimeout(r, 200));
    expect(hugeCancelled).toBe(true);
  });

  it('works on a consumed body and on a body-less response', async () => {
    const res = await fetch(`${base}/missing`);
    await res.text();
    const err = await KeyVaultError.fromResponse(res);
    expect(err).toMatchObject({ code: 'KV_ERR_NOT_FOUND', status: 404 });
    expect(err.diagnosis.outcome).toBe('not_found');
    const handshake = await KeyVaultError.fromResponse(
      new Response(null, { status: 401, headers: { 'www-authenticate': 'Bearer authorization="https://login.windows.net/t", resource="https://vault.azure.net"' } }),
      { url: 'https://myvault.vault.azure.net/secrets/a', authorization: null, userAgent: 'azsdk-js-keyvault-secrets/4.11.2' },
    );
    expect(handshake.code).toBe('KV_ERR_CHALLENGE');
  });

  it('keeps a cause and rejects a bad bound with a TypeError naming it', async () => {
    const root = new Error('socket hang up');
    const err = new KeyVaultError('x', { status: 503, diagnosis: { outcome: 'error', retryable: true }, cause: root });
    expect(err).toMatchObject({ cause: root, code: 'KV_ERR_SERVER', retryable: true });
    await expect(KeyVaultError.fromResponse(new Response('x'), undefined, { maxBodyBytes: -1 })).rejects.toThrow(/maxBodyBytes/);
  });
});
