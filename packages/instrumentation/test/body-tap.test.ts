/**
 * The two hard parts, proved on both stacks with a plain local server:
 * (a) the error body is read without changing a byte of what the application
 *     reads (plain, gzip, chunked, chunked+gzip, larger than the read bound);
 * (b) what kvtrace derives from the body is on the span when it ENDS: the
 *     in-memory exporter only ever receives ended spans.
 * The http stack is driven by the Azure SDK's own Node HTTP client
 * (@azure/core-rest-pipeline's createDefaultHttpClient), the fetch stack by
 * global fetch through kvtrace's body tap.
 */
import { createDefaultHttpClient, createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstrumentations } from '../src/index.js';
import { FRAMINGS, bodyFor, startLocalVault } from './local-vault.js';
import type { LocalVault } from './local-vault.js';
import { startTelemetry } from './telemetry.js';
import type { Telemetry } from './telemetry.js';

let vault: LocalVault;
let origin: string;
let telemetry: Telemetry;

beforeAll(async () => {
  vault = await startLocalVault();
  origin = vault.origin;
  telemetry = startTelemetry(createInstrumentations({ vaultHosts: ['127.0.0.1'], maxBodyBytes: 4096 }));
});

afterAll(async () => {
  await telemetry.shutdown();
  await vault.close();
});

/** The Azure SDK's HTTP client, asking for gzip as the SDK's pipelines do. */
async function viaAzureHttpClient(url: string): Promise<Buffer> {
  const client = createDefaultHttpClient();
  const request = createPipelineRequest({
    url,
    headers: createHttpHeaders({ 'accept-encoding': 'gzip,deflate' }),
    allowInsecureConnection: true,
  });
  const response = await client.sendRequest(request);
  return Buffer.from(response.bodyAsText ?? '', 'utf8');
}

async function viaFetch(url: string): Promise<Buffer> {
  const response = await fetch(url);
  return Buffer.from(await response.arrayBuffer());
}

const STACKS = [
  ['node:https (Azure SDK client)', viaAzureHttpClient],
  ['fetch (undici)', viaFetch],
] as const;

describe.each(STACKS)('%s', (stackName, send) => {
  it.each(FRAMINGS)('reads a %s error body byte-identically and diagnoses it before the span ends', async (framing) => {
    const path = `/secrets/${framing}?api-version=7.5&stack=${stackName.length}`;
    const read = await send(`${origin}${path}`);
    expect(read.equals(Buffer.from(bodyFor(framing)))).toBe(true);

    const spans = telemetry.clientSpans(`/secrets/${framing}?`).filter((s) => s.attributes['azure.service.request.id'] === `req-${framing}`);
    const span = spans.at(-1);
    expect(span, 'an ended client span').toBeDefined();
    expect(span?.ended).toBe(true);
    expect(span?.attributes['keyvault.error.code']).toBe('Forbidden');
    expect(span?.status.code).toBe(2);
    if (framing === 'large') {
      // Only maxBodyBytes were kept: the truncated JSON still yields the code, not what lies beyond.
      expect(span?.attributes['keyvault.error.inner_code']).toBeUndefined();
      return;
    }
    expect(span?.attributes['keyvault.error.inner_code']).toBe('AccessDenied');
    expect(span?.attributes['keyvault.cause']).toBe('access_policy');
    expect(span?.attributes['keyvault.hint']).toMatch(/secrets get/);
    expect(span?.events.find((e) => e.name === 'keyvault.diagnosis')?.attributes?.['keyvault.cause']).toBe('access_policy');
  });

  it('leaves success bodies alone and still diagnoses the call', async () => {
    const read = await send(`${origin}/secrets/ok?api-version=7.5`);
    expect(JSON.parse(read.toString()).value).toBe('s3cr3t-value');
    const span = telemetry.clientSpans('/secrets/ok?').at(-1);
    expect(span?.attributes['keyvault.outcome']).toBe('ok');
    expect(span?.attributes['keyvault.cause']).toBeUndefined();
  });
});

describe('under concurrency', () => {
  it('every framing on both stacks at once, three rounds: each body byte-identical, each span diagnosed', async () => {
    for (let round = 0; round < 3; round++) {
      const sends = FRAMINGS.flatMap((f) => [
        viaAzureHttpClient(`${origin}/secrets/${f}?api-version=7.5`).then((b) => [f, b] as const),
        viaFetch(`${origin}/secrets/${f}?api-version=7.5`).then((b) => [f, b] as const),
      ]);
      for (const [framing, bytes] of await Promise.all(sends)) expect(bytes.equals(Buffer.from(bodyFor(framing))), framing).toBe(true);
    }
    const undiagnosed = telemetry.clientSpans('/secrets/').filter((s) => s.attributes['http.response.status_code'] === 403 && s.attributes['keyvault.error.code'] !== 'Forbidden');
    expect(undiagnosed).toEqual([]);
  });
});

describe('without kvtrace', () => {
  it('the same requests read the same bytes once the instrumentations are disabled', async () => {
    const withKvtrace = await Promise.all(FRAMINGS.map((f) => viaAzureHttpClient(`${origin}/secrets/${f}?api-version=7.5`)));
    const withFetch = await Promise.all(FRAMINGS.map((f) => viaFetch(`${origin}/secrets/${f}?api-version=7.5`)));
    for (const i of telemetry.instrumentations) i.disable();
    const disabledAt = Date.now();
    try {
      const without = await Promise.all(FRAMINGS.map((f) => viaAzureHttpClient(`${origin}/secrets/${f}?api-version=7.5&phase=off`)));
      const withoutFetch = await Promise.all(FRAMINGS.map((f) => viaFetch(`${origin}/secrets/${f}?api-version=7.5&phase=off`)));
      // Disabled means disabled: no span for these requests at all.
      const startedSince = telemetry.spans.getFinishedSpans().filter((s) => s.startTime[0] * 1000 + s.startTime[1] / 1e6 >= disabledAt);
      expect(startedSince).toEqual([]);
      without.forEach((b, i) => expect(b.equals(withKvtrace[i] as Buffer), `http ${FRAMINGS[i]}`).toBe(true));
      withoutFetch.forEach((b, i) => expect(b.equals(withFetch[i] as Buffer), `fetch ${FRAMINGS[i]}`).toBe(true));
    } finally {
      for (const i of telemetry.instrumentations) i.enable();
    }
  });
});
