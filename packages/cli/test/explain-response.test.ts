import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_ID, OID, TENANT, expectNoLeak, mintToken, run } from './helpers.js';
import { ACCESS_POLICY, FIREWALL, NO_TOKEN, RBAC, THROTTLED, TOKEN_EXPIRED, WRONG_AUDIENCE, WRONG_ISSUER } from './texts.js';

const VAULT = 'https://myvault.vault.azure.net/secrets/db-password?api-version=7.5';

async function explainJson(args: string[], stdin?: string) {
  const r = await run(['explain', ...args, '--json'], stdin);
  return { r, report: JSON.parse(r.stdout) };
}

describe('kvtrace explain --status --body (the real Key Vault texts)', () => {
  it.each([
    ['401 AKV10000, no token', '401', NO_TOKEN, 'missing_token'],
    ['401 AKV10022', '401', WRONG_AUDIENCE, 'wrong_audience'],
    ['401 AKV10032', '401', WRONG_ISSUER, 'wrong_tenant'],
    ['401 TokenExpired', '401', TOKEN_EXPIRED, 'token_expired'],
    ['403 AccessDenied', '403', ACCESS_POLICY, 'access_policy'],
    ['403 ForbiddenByRbac', '403', RBAC, 'rbac'],
    ['403 ForbiddenByFirewall', '403', FIREWALL, 'firewall'],
    ['429 Throttled', '429', THROTTLED, 'throttled'],
  ])('%s -> %s, exit 1', async (_label, status, body, cause) => {
    const { r, report } = await explainJson(['--status', status, '--body', body]);
    expect(r.code).toBe(1);
    expect(report.diagnosis.cause).toBe(cause);
    expect(report.summary.startsWith(`${cause}: `)).toBe(true);
    expect(report.diagnosis.hint.length).toBeGreaterThan(10);
  });

  it('prints one line saying why, last, in text mode', async () => {
    const r = await run(['explain', '--status', '403', '--body', FIREWALL]);
    expect(r.code).toBe(1);
    const last = r.stdout.trimEnd().split('\n').at(-1) as string;
    expect(last).toMatch(/^firewall: /);
    // The firewall hint names the address the vault saw.
    expect(last).toContain('203.0.113.7');
    expect(r.stdout).toContain('response 403 Forbidden / ForbiddenByFirewall');
  });

  it('infers the status from the body code when --status is absent', async () => {
    const { r, report } = await explainJson(['--body', THROTTLED]);
    expect(r.code).toBe(1);
    expect(report.response.status).toBe(429);
    expect(report.diagnosis.cause).toBe('throttled');
  });

  it('reads Retry-After from --header', async () => {
    const { report } = await explainJson(['--status', '429', '--body', THROTTLED, '--header', 'Retry-After: 12']);
    expect(report.diagnosis.retryAfterMs).toBe(12_000);
    expect(report.diagnosis.retryable).toBe(true);
  });

  it('explains a captured `curl -i` response from a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kvtrace-cli-'));
    const file = join(dir, 'response.txt');
    await writeFile(
      file,
      [
        'HTTP/1.1 429 Too Many Requests',
        'Content-Type: application/json; charset=utf-8',
        'x-ms-request-id: 0f5c7e52-6d0a-4c2b-9d1e-3f4a5b6c7d8e',
        'x-ms-keyvault-region: westeurope',
        'Retry-After: 3',
        '',
        THROTTLED,
      ].join('\r\n'),
    );
    const { r, report } = await explainJson(['--response', `@${file}`]);
    expect(r.code).toBe(1);
    expect(report.diagnosis.cause).toBe('throttled');
    expect(report.diagnosis.retryAfterMs).toBe(3000);
  });

  it('reads the body from stdin', async () => {
    const { r, report } = await explainJson(['--status', '403', '--body', '-'], RBAC);
    expect(r.code).toBe(1);
    expect(report.diagnosis.cause).toBe('rbac');
    expect(report.diagnosis.hint).toContain('Microsoft.KeyVault/vaults/secrets/getSecret/action');
  });

  it('treats a 401 challenge to the Azure SDK as the handshake, exit 0', async () => {
    const { r, report } = await explainJson([
      '--status', '401',
      '--body', NO_TOKEN,
      '--header', `WWW-Authenticate: Bearer authorization="https://login.windows.net/${TENANT}", resource="https://vault.azure.net"`,
      '--user-agent', 'azsdk-js-keyvault-secrets/4.11.2 core-rest-pipeline/1.22.0 Node/20.20.2 OS/(x64-Linux-6.1.0)',
    ]);
    expect(report.diagnosis.cause).toBe('challenge');
    expect(r.code).toBe(0);
  });
});

describe('kvtrace explain --token with a response', () => {
  it('names the caller from the token in an access-policy 403', async () => {
    const token = await mintToken();
    const url = `${VAULT}&sig=not-for-logs`;
    const { r, report } = await explainJson(['--token', token, '--vault', url, '--status', '403', '--body', ACCESS_POLICY]);
    expectNoLeak(r, token);
    expect(r.code).toBe(1);
    expect(report.diagnosis.cause).toBe('access_policy');
    expect(report.diagnosis.hint).toMatch(new RegExp(`${OID}|${APP_ID}`));
    expect(report.vault).toMatchObject({ name: 'myvault', operation: 'secrets.get', audience: 'https://vault.azure.net' });
    // Only api-version survives redaction, as in url.full on spans.
    expect(report.vault.url).toBe('https://myvault.vault.azure.net/secrets/db-password?api-version=7.5');
  });

  it('finds the expired token behind a bare 401', async () => {
    const token = await mintToken({ exp: -600 });
    const { r, report } = await explainJson(['--token', `Bearer ${token}`, '--vault', VAULT, '--status', '401']);
    expectNoLeak(r, token);
    expect(r.code).toBe(1);
    expect(report.diagnosis.cause).toBe('token_expired');
  });

  it('finds no problem in a 200 with a good token', async () => {
    const token = await mintToken();
    const { r, report } = await explainJson(['--token', token, '--vault', VAULT, '--status', '200']);
    expectNoLeak(r, token);
    expect(r.code).toBe(0);
    expect(report.problem).toBe(false);
    expect(report.diagnosis.outcome).toBe('ok');
  });
});
