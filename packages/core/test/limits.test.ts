import { describe, expect, it } from 'vitest';
import { SERVICE_LIMITS, ThrottleMeter, limitFor, parseVaultUrl } from '../src/index.js';
import type { VaultEndpoint } from '../src/index.js';

const ep = (url: string, method = 'GET') => parseVaultUrl(url, method) as VaultEndpoint;
const V = 'https://myvault.vault.azure.net';

describe('limitFor: the service-limits table', () => {
  it.each([
    [`${V}/secrets/a`, 'PUT', 'secrets.create', 300],
    [`${V}/secrets/a`, 'GET', 'vault.all', 4000],
    [`${V}/secrets`, 'GET', 'vault.all', 4000],
    [`${V}/certificates/c`, 'GET', 'vault.all', 4000],
    [`${V}/keys/k/create`, 'POST', 'keys.software.create', 20],
    [`${V}/keys/k`, 'PUT', 'keys.software.create', 20],
    [`${V}/keys/k/v/sign`, 'POST', 'keys.software.2048', 4000],
    [`${V}/keys/k`, 'GET', 'keys.software.2048', 4000],
    ['https://hsm.managedhsm.azure.net/keys/k/v/sign', 'POST', 'managed_hsm.unthrottled', 0],
  ])('%s %s -> %s %d', (url, method, limitClass, limit) => {
    expect(limitFor(ep(url, method))).toEqual({ limitClass, limit });
  });

  it('uses configured key profiles', () => {
    const options = { keyProfiles: { big: { protection: 'hsm', size: 4096 } }, defaultKeyProfile: { protection: 'software', size: 3072 } } as const;
    expect(limitFor(ep(`${V}/keys/big/v/decrypt`, 'POST'), options)).toEqual({ limitClass: 'keys.hsm.4096', limit: 250 });
    expect(limitFor(ep(`${V}/keys/big/create`, 'POST'), options)).toEqual({ limitClass: 'keys.hsm.create', limit: 10 });
    expect(limitFor(ep(`${V}/keys/other/v/sign`, 'POST'), options)).toEqual({ limitClass: 'keys.software.3072', limit: 1000 });
    expect(limitFor(ep(`${V}/keys/toString/v/sign`, 'POST'), options).limitClass).toBe('keys.software.3072');
  });

  it('holds the DESIGN.md figures', () => {
    expect(SERVICE_LIMITS).toMatchObject({ 'keys.hsm.3072': 500, 'keys.software.4096': 500, 'keys.hsm.create': 10 });
  });
});

describe('ThrottleMeter', () => {
  const get = ep(`${V}/secrets/a`);
  const set = ep(`${V}/secrets/a`, 'PUT');

  it('sums count / limit across limit classes over the last 10 s', () => {
    const meter = new ThrottleMeter();
    const t0 = 1_000_000;
    for (let i = 0; i < 400; i++) meter.record(get, t0);
    expect(meter.utilization('myvault', t0)).toBeCloseTo(0.1);
    const r = meter.record(set, t0 + 100);
    expect(r).toEqual({ limitClass: 'secrets.create', limit: 300, utilization: expect.closeTo(0.1 + 1 / 300, 6) });
    for (let i = 1; i < 150; i++) meter.record(set, t0 + 200);
    expect(meter.utilization('myvault', t0 + 200)).toBeCloseTo(0.6);
  });

  it('slides: counts leave the window after 10 s', () => {
    const meter = new ThrottleMeter();
    const t0 = 5_000_000;
    for (let i = 0; i < 40; i++) meter.record(get, t0);
    for (let i = 0; i < 40; i++) meter.record(get, t0 + 6000);
    expect(meter.utilization('myvault', t0 + 9000)).toBeCloseTo(80 / 4000);
    expect(meter.utilization('myvault', t0 + 10_500)).toBeCloseTo(40 / 4000);
    expect(meter.utilization('myvault', t0 + 60_000)).toBe(0);
  });

  it('does not count throttled requests nor Managed HSM crypto', () => {
    const meter = new ThrottleMeter();
    meter.record(get, 0, { throttled: true });
    expect(meter.utilization('myvault', 0)).toBe(0);
    meter.record(ep('https://hsm.managedhsm.azure.net/keys/k/v/sign', 'POST'), 0);
    expect(meter.utilization('hsm', 0)).toBe(0);
  });

  it('keeps separate vaults apart and bounds memory by maxVaults (LRU)', () => {
    const meter = new ThrottleMeter({ maxVaults: 3 });
    for (let i = 0; i < 10; i++) meter.record(ep(`https://v${i}.vault.azure.net/secrets/a`), 0);
    expect(meter.size).toBe(3);
    expect(meter.vaultNames()).toEqual(['v7', 'v8', 'v9']);
    expect(meter.utilization('v0', 0)).toBe(0);
    expect(meter.utilization('v9', 0)).toBeCloseTo(1 / 4000);
  });

  it('tolerates a clock that steps back', () => {
    const meter = new ThrottleMeter();
    meter.record(get, 20_000);
    meter.record(get, 10_000);
    expect(meter.utilization('myvault', 20_000)).toBeCloseTo(2 / 4000);
  });

  it('rejects bad options with a TypeError naming the option', () => {
    expect(() => new ThrottleMeter({ maxVaults: 0 })).toThrow(/maxVaults/);
  });
});
