import { describe, expect, it } from 'vitest';
import { AuthenticationError } from '@azure/identity';
import { toHttpAnswer } from '../src/http-answer.js';
import { KeyVaultError } from '../src/keyvault-error.js';
import { clip, exposedText } from '../src/exposed-text.js';
import { APP_ID, OID, TENANT, TEXTS, VAULT_URL, mintToken, networkRestError, vaultRestError } from './http-answer-fixtures.js';

// What a gateway in front of the vault (or a hostile one) can send: the SDK
// makes its HTML page the RestError message, and headers are unbounded too.
const BIG = `<html><body>${'x'.repeat(100_000)}</body></html>`;
const MAX_BODY_BYTES = 4096;
const ELLIPSIS = '\u2026';

function bodyBytes(err: unknown): number {
  return Buffer.byteLength(JSON.stringify(toHttpAnswer(err, { expose: true })?.body));
}

describe('toHttpAnswer with expose: every string from the vault is bounded', () => {
  it('a 100 KB vault message: 1,024 characters, cut with an ellipsis, from its start', () => {
    const err = vaultRestError({ status: 403, code: 'Forbidden', message: BIG });
    const vault = toHttpAnswer(err, { expose: true })?.body.vault;
    expect(vault?.message).toHaveLength(1024);
    expect(vault?.message?.startsWith('<html><body>xxx')).toBe(true);
    expect(vault?.message?.endsWith(`x${ELLIPSIS}`)).toBe(true);
    expect(bodyBytes(err)).toBeLessThanOrEqual(MAX_BODY_BYTES);
  });

  it('a 100 KB x-ms-request-id: 128 characters', () => {
    const err = vaultRestError({ status: 429, code: 'Throttled', message: TEXTS.throttled, headers: { 'x-ms-request-id': BIG } });
    const requestId = toHttpAnswer(err, { expose: true })?.body.vault?.requestId;
    expect(requestId).toHaveLength(128);
    expect(requestId?.endsWith(ELLIPSIS)).toBe(true);
    expect(bodyBytes(err)).toBeLessThanOrEqual(MAX_BODY_BYTES);
  });

  it('a 100 KB error code of a network failure: 128 characters inside the hint, which keeps its advice', () => {
    const err = networkRestError(BIG);
    const hint = toHttpAnswer(err, { expose: true })?.body.hint ?? '';
    expect(hint).toContain(`(<html><body>${'x'.repeat(115)}${ELLIPSIS})`);
    expect(hint).toMatch(/check DNS, the private endpoint and outbound firewall rules\.$/);
    expect(bodyBytes(err)).toBeLessThanOrEqual(MAX_BODY_BYTES);
  });

  it('error and inner codes from a 100 KB-coded body: 128 characters each', () => {
    const err = vaultRestError({ status: 403, code: `C${'c'.repeat(5000)}`, inner: `I${'i'.repeat(5000)}`, message: TEXTS.accessPolicy });
    const vault = toHttpAnswer(err, { expose: true })?.body.vault;
    expect([vault?.errorCode?.length, vault?.innerCode?.length]).toEqual([128, 128]);
    expect(bodyBytes(err)).toBeLessThanOrEqual(MAX_BODY_BYTES);
  });

  it('a KeyVaultError (fetch users) with a 100 KB request id', async () => {
    const response = new Response(JSON.stringify({ error: { code: 'Throttled', message: TEXTS.throttled } }), {
      status: 429,
      headers: { 'content-type': 'application/json', 'x-ms-request-id': BIG },
    });
    const err = await KeyVaultError.fromResponse(response, { url: VAULT_URL, method: 'GET' });
    expect(toHttpAnswer(err, { expose: true })?.body.vault?.requestId).toHaveLength(128);
    expect(bodyBytes(err)).toBeLessThanOrEqual(MAX_BODY_BYTES);
  });

  it('an identity failure with a 100 KB OAuth error and thousands of AADSTS codes', () => {
    const description = Array.from({ length: 5000 }, (_, i) => `AADSTS${7000000 + i}`).join(' ');
    const err = new AuthenticationError(401, { error: BIG, error_description: description });
    const hint = toHttpAnswer(err, { expose: true })?.body.hint ?? '';
    expect(hint.length).toBeLessThanOrEqual(1024);
    expect(hint).toMatch(/^Microsoft Entra ID refused to issue a token \(AADSTS7000000, AADSTS7000001, .*\u2026\): /);
    expect(bodyBytes(err)).toBeLessThanOrEqual(MAX_BODY_BYTES);
  });

  it('keeps real Key Vault texts whole: the RBAC denial, a GUID request id', async () => {
    const token = await mintToken();
    const err = vaultRestError({ status: 403, code: 'Forbidden', inner: 'ForbiddenByRbac', message: TEXTS.rbac, token });
    const vault = toHttpAnswer(err, { expose: true })?.body.vault;
    expect(vault?.message).toContain("DecisionReason: 'DeniedWithNoValidRBAC'");
    expect(vault?.message?.endsWith('Vault: myvault;location=westeurope\r\n')).toBe(true);
    expect(vault?.requestId).toBe('a1b2c3d4-0000-4000-8000-000000000001');
    expect(JSON.stringify(vault)).not.toContain(OID);
  });

  it('scrubs before it cuts: an object id across the 1,024 mark never shows its first half', () => {
    const err = vaultRestError({ status: 403, code: 'Forbidden', message: `${'a '.repeat(505)}oid=x ${OID} ${APP_ID} ${TENANT}` });
    const message = toHttpAnswer(err, { expose: true })?.body.vault?.message ?? '';
    expect(message.length).toBeLessThanOrEqual(1024);
    for (const id of [OID, APP_ID, TENANT]) expect(message).not.toContain(id.slice(0, 8));
  });
});

describe('exposedText and clip', () => {
  it('an id cut at the scrubbing window shows none of its start, even after a token shrank the text', () => {
    // 4,083 characters of token-like text, then an object id across the 4,096 window end.
    const text = `eyJ${'a'.repeat(4080)}.b ${OID} trailing`;
    const out = exposedText(text, 1024);
    expect(out).toBe('<token> ');
    expect(out).not.toContain(OID.slice(0, 8));
  });

  it('bounds the cost of scrubbing: 300 KB of a token prefix, repeated', () => {
    // The token pattern backtracks quadratically on this: 9 s for 100 KB on
    // Node 20 here, so scrubbing it whole would outlast the 30 s test timeout.
    const out = exposedText('eyJ'.repeat(100_000), 1024);
    expect(out).toHaveLength(1024);
    expect(out.endsWith(ELLIPSIS)).toBe(true);
  });

  it('never splits a surrogate pair', () => {
    expect(clip('ab\u{1F511}cd', 4)).toBe(`ab${ELLIPSIS}`);
    expect(clip('abc\u{1F511}', 4)).toBe(`abc${ELLIPSIS}`);
    expect(clip('abcd', 4)).toBe('abcd');
  });
});
