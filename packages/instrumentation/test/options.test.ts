/**
 * Options that change what is recorded: recordObjectNames: false masks the
 * name everywhere, challengeSpanStatus: 'error' keeps the handshake an error;
 * non-vault requests are left alone; bad options fail at setup with a
 * TypeError naming the option.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { start } from '@kvtrace/fake-vault';
import type { FakeVault } from '@kvtrace/fake-vault';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstrumentations, httpHooks, undiciHooks } from '../src/index.js';
import type { KvtraceConfig } from '../src/index.js';
import { startTelemetry } from './telemetry.js';
import type { Telemetry } from './telemetry.js';

let vault: FakeVault;
let telemetry: Telemetry;
let other: http.Server;
let otherOrigin: string;

beforeAll(async () => {
  telemetry = startTelemetry(createInstrumentations({ recordObjectNames: false, challengeSpanStatus: 'error' }));
  vault = await start({ vaultName: 'optionsvault' });
  other = http.createServer((req, res) => {
    const body = JSON.stringify({ error: { code: 'Forbidden', message: 'not a vault' } });
    res.writeHead(403, { 'content-type': 'application/json', 'x-ms-request-id': 'not-a-vault' }).end(body);
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  otherOrigin = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await vault?.close();
  other?.closeAllConnections();
  await new Promise((resolve) => other?.close(resolve));
  await telemetry?.shutdown();
});

function kvtraceKeys(attributes: Record<string, unknown>): string[] {
  return Object.keys(attributes).filter((k) => k.startsWith('keyvault.') || k.startsWith('azure.'));
}

describe('recordObjectNames: false, challengeSpanStatus: error', () => {
  it('masks the object name in url.full and drops keyvault.object.name; the challenge span stays ERROR', async () => {
    const credential = new ClientSecretCredential(vault.tenantId, vault.clientId, vault.clientSecret, vault.credentialOptions());
    const client = new SecretClient(vault.vaultUrl, credential, vault.clientOptions());
    await client.setSecret('payroll-db-password', 'v');
    await client.getSecret('payroll-db-password');
    const spans = telemetry.clientSpans().filter((s) => s.attributes['keyvault.vault.name'] === 'optionsvault');
    expect(spans.length).toBeGreaterThanOrEqual(3); // PUT 401 handshake, PUT 200, GET 200
    for (const span of spans) {
      expect(span.attributes['keyvault.object.name']).toBeUndefined();
      expect(String(span.attributes['url.full'])).toMatch(/\/secrets\/REDACTED\/?\?api-version=/);
    }
    const challenge = spans.find((s) => s.attributes['keyvault.cause'] === 'challenge');
    expect(challenge?.status.code).toBe(2);
    const exported = JSON.stringify(telemetry.clientSpans().map((s) => s.attributes));
    expect(exported).not.toContain('payroll-db-password');
  });

  it('masks the name in the fetch span url.path too', async () => {
    const res = await fetch(`${vault.vaultUrl}/secrets/payroll-db-password?api-version=7.5`, {
      ...({ dispatcher: vault.dispatcher() } as object),
    });
    expect(res.status).toBe(401);
    await res.text();
    const span = telemetry.clientSpans('/secrets/REDACTED?').at(-1);
    expect(span?.attributes['url.path']).toBe('/secrets/REDACTED');
    expect(span?.attributes['keyvault.cause']).toBe('missing_token');
  });
});

describe('non-vault requests', () => {
  it.each([
    ['http', () => new Promise<string>((resolve, reject) => http.get(`${otherOrigin}/secrets/x?api-version=7.5`, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve(text)).on('error', reject);
    }).on('error', reject))],
    ['fetch', async () => (await fetch(`${otherOrigin}/secrets/y?api-version=7.5`)).text()],
  ] as const)('get no keyvault.* or azure.* attribute over %s, and an untouched body', async (_stack, send) => {
    const before = telemetry.clientSpans(otherOrigin).length;
    const body = await send();
    expect(JSON.parse(body)).toEqual({ error: { code: 'Forbidden', message: 'not a vault' } });
    const spans = telemetry.clientSpans(otherOrigin);
    expect(spans.length).toBe(before + 1);
    expect(kvtraceKeys(spans.at(-1)?.attributes ?? {})).toEqual([]);
    expect(spans.at(-1)?.events).toEqual([]);
  });
});

describe('option validation', () => {
  it.each([
    [{ vaultHosts: 'kv.example' }, 'vaultHosts'],
    [{ vaultHosts: [''] }, 'vaultHosts'],
    [{ recordObjectNames: 'no' }, 'recordObjectNames'],
    [{ challengeSpanStatus: 'unset' }, 'challengeSpanStatus'],
    [{ maxBodyBytes: 0 }, 'maxBodyBytes'],
    [{ maxBodyBytes: 1.5 }, 'maxBodyBytes'],
    [{ claimsCacheSize: -1 }, 'claimsCacheSize'],
    [{ clockSkewS: Number.NaN }, 'clockSkewS'],
    [{ meterProvider: {} }, 'meterProvider'],
  ])('%j throws a TypeError naming %s', (config, name) => {
    for (const build of [httpHooks, undiciHooks, createInstrumentations]) {
      expect(() => build(config as unknown as KvtraceConfig)).toThrow(TypeError);
      expect(() => build(config as unknown as KvtraceConfig)).toThrow(name);
    }
  });
});
