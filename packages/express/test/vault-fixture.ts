/**
 * Real parts for the middleware tests: fake-vault over HTTPS, the real
 * SecretClient and ClientSecretCredential, an OpenTelemetry tracer whose
 * spans land in memory, and helpers to call a loopback server.
 */
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { expect } from 'vitest';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SecretClient } from '@azure/keyvault-secrets';
import type { TokenCredential } from '@azure/identity';
import { start } from '@kvtrace/fake-vault';
import type { FakeVault } from '@kvtrace/fake-vault';

export const SECRET_VALUE = 'hunter2-Secret-Value-0b7e';

/** In-memory spans; the middleware reads the active span through the global API. */
export function setUpTracing(): InMemorySpanExporter {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  return exporter;
}

export async function startVault(): Promise<FakeVault> {
  const vault = await start({ vaultName: 'kvtrace-mw', region: 'westeurope' });
  const client = sdkClient(vault, await vault.credential());
  await client.setSecret('db-password', SECRET_VALUE);
  return vault;
}

/** The real SecretClient; no SDK retries, so each row reaches the middleware as the vault answered it. */
export function sdkClient(vault: FakeVault, credential: TokenCredential, vaultUrl = vault.vaultUrl): SecretClient {
  return new SecretClient(vaultUrl, credential, { ...vault.clientOptions(), retryOptions: { maxRetries: 0 } });
}

/** A TokenCredential that hands the SDK one given token (e.g. minted expired by the fake issuer). */
export function fixedToken(token: string): TokenCredential {
  return { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) };
}

/** A TCP server on 127.0.0.1 that accepts connections and never answers: a vault that hangs. */
export async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 that nobody listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

export async function get(base: string, path: string): Promise<Answer> {
  const res = await fetch(`${base}${path}`);
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: the app's own error page
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Everything the answer must never carry: the token, claim values, the secret value and credentials. */
export function secretsOf(vault: FakeVault, ...tokens: string[]): string[] {
  return [SECRET_VALUE, vault.clientSecret, vault.clientId, vault.objectId, vault.tenantId, ...tokens.filter(Boolean)];
}

/** Asserts no forbidden string is in the answer's body or headers. */
export function leaks(answer: Answer, forbidden: readonly string[]): string[] {
  const wire = answer.text + JSON.stringify([...answer.headers.entries()]);
  return forbidden.filter((s) => s.length > 0 && wire.includes(s));
}

/** A problem+json answer with this status, cause and Retry-After (none when undefined). */
export function expectProblem(a: Answer, status: number, cause: string, retryAfter?: string): void {
  expect({ status: a.status, cause: a.json['cause'], retryAfter: a.headers.get('retry-after') ?? undefined }).toEqual({ status, cause, retryAfter });
  expect(a.headers.get('content-type')).toBe('application/problem+json');
  expect(a.json['status']).toBe(status);
  expect(a.json['retryable']).toBe(status === 503 || status === 504);
}

/** What every row asserts: status, cause, Retry-After, problem+json, and no leak. */
export function expectRow(
  a: Answer,
  row: { status: number; cause: string; retryAfter?: string | readonly [number, number]; vaultText?: string | readonly string[] },
  vault: FakeVault,
): void {
  const retryAfter = a.headers.get('retry-after');
  expect({ status: a.status, cause: a.json['cause'] }).toEqual({ status: row.status, cause: row.cause });
  if (row.retryAfter === undefined) expect(retryAfter).toBeNull();
  else if (typeof row.retryAfter === 'string') expect(retryAfter).toBe(row.retryAfter);
  else {
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(row.retryAfter[0]);
    expect(Number(retryAfter)).toBeLessThanOrEqual(row.retryAfter[1]);
  }
  expect(a.headers.get('content-type')).toBe('application/problem+json');
  expect(a.json['retryable']).toBe(row.status === 503 || row.status === 504);
  expect(leaks(a, [...secretsOf(vault), ...[row.vaultText ?? []].flat()])).toEqual([]);
}
