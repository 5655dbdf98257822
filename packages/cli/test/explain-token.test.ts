import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_ID, OID, OTHER_TENANT, TENANT, expectNoLeak, mintToken, run } from './helpers.js';

const VAULT = 'https://myvault.vault.azure.net';

describe('kvtrace explain --token', () => {
  it('finds no problem in a good token for the vault and exits 0', async () => {
    const token = await mintToken();
    const r = await run(['explain', '--token', token, '--vault', VAULT, '--tenant', TENANT]);
    expectNoLeak(r, token);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`oid      ${OID}`);
    expect(r.stdout).toContain(`appid    ${APP_ID}`);
    expect(r.stdout).toContain('aud      https://vault.azure.net');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^ok: /);
  });

  it('names ARM as the wrong audience and exits 1', async () => {
    const token = await mintToken({ aud: 'https://management.azure.com/' });
    const r = await run(['explain', '--token', token, '--vault', VAULT]);
    expectNoLeak(r, token);
    expect(r.code).toBe(1);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^wrong_audience: /);
  });

  it.each([
    ['a trailing slash', 'https://vault.azure.net/'],
    ['spn: prefix', 'spn:cfa8b339-82a2-471a-a3c9-0fc0be7a4093'],
    ["the vault's own URL", 'https://myvault.vault.azure.net'],
    ["another cloud's vault audience", 'https://vault.azure.cn'],
  ])('rejects an audience with %s', async (_label, aud) => {
    const token = await mintToken({ aud });
    const r = await run(['explain', '--token', token, '--vault', VAULT, '--json']);
    expectNoLeak(r, token);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).diagnosis.cause).toBe('wrong_audience');
  });

  it("accepts Key Vault's bare application id as audience", async () => {
    const token = await mintToken({ aud: 'cfa8b339-82a2-471a-a3c9-0fc0be7a4093' });
    const r = await run(['explain', '--token', token, '--vault', VAULT]);
    expectNoLeak(r, token);
    expect(r.code).toBe(0);
  });

  it('says an expired token is expired', async () => {
    const token = await mintToken({ exp: -3600 });
    const r = await run(['explain', '--token', token, '--vault', VAULT, '--json']);
    expectNoLeak(r, token);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.diagnosis.cause).toBe('token_expired');
    expect(report.token.expiresInS).toBeLessThan(-3500);
    expect(report.exitCode).toBe(1);
  });

  it('says a token from the future is not yet valid', async () => {
    const token = await mintToken({ nbf: 3600, exp: 7200 });
    const r = await run(['explain', '--token', token, '--vault', VAULT, '--json']);
    expectNoLeak(r, token);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).diagnosis.cause).toBe('token_not_yet_valid');
  });

  it("checks the tenant against the vault's tenant", async () => {
    const token = await mintToken({ tid: OTHER_TENANT });
    const r = await run(['explain', '--token', token, '--vault', VAULT, '--tenant', TENANT, '--json']);
    expectNoLeak(r, token);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).diagnosis.cause).toBe('wrong_tenant');
  });

  it('evaluates expiry at --at, the time the request was sent', async () => {
    const token = await mintToken({ exp: 3000 });
    const later = new Date(Date.now() + 2 * 3600_000).toISOString();
    const r = await run(['explain', '--token', token, '--at', later, '--json']);
    expectNoLeak(r, token);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).diagnosis.cause).toBe('token_expired');
  });

  it('reads the token from @file and from stdin, with or without "Authorization: Bearer"', async () => {
    const token = await mintToken({ aud: 'https://management.azure.com/' });
    const dir = await mkdtemp(join(tmpdir(), 'kvtrace-cli-'));
    const file = join(dir, 'token.txt');
    await writeFile(file, `Authorization: Bearer ${token}\n`);
    const fromFile = await run(['explain', '--token', `@${file}`, '--vault', VAULT, '--json']);
    const fromStdin = await run(['explain', '--token', '-', '--vault', VAULT, '--json'], `${token}\n`);
    for (const r of [fromFile, fromStdin]) {
      expectNoLeak(r, token);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout).diagnosis.cause).toBe('wrong_audience');
    }
  });

  it('says an opaque token cannot be checked', async () => {
    const opaque = 'Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5d2FsZG8';
    const r = await run(['explain', '--token', opaque]);
    expect(r.stdout + r.stderr).not.toContain(opaque);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^opaque_token: /m);
  });
});
