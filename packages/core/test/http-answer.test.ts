import { describe, expect, it } from 'vitest';
import { AggregateAuthenticationError, AuthenticationError, AuthenticationRequiredError, CredentialUnavailableError } from '@azure/identity';
import { diagnose } from '../src/diagnose.js';
import { toHttpAnswer } from '../src/http-answer.js';
import { KeyVaultError } from '../src/keyvault-error.js';
import type { HttpAnswer } from '../src/http-answer.js';
import {
  APP_ID,
  OID,
  OTHER_TENANT,
  TENANT,
  TEXTS,
  mintToken,
  networkRestError,
  vaultRestError,
} from './http-answer-fixtures.js';

const BASE_KEYS = ['cause', 'detail', 'retryable', 'status', 'title', 'type'];

/** Asserts what every answer promises: problem+json, Retry-After only on 503/429, nothing secret. */
function checkAnswer(answer: HttpAnswer | null, forbidden: string[] = []): HttpAnswer {
  expect(answer).not.toBeNull();
  const a = answer as HttpAnswer;
  expect(a.headers['content-type']).toBe('application/problem+json');
  expect(a.body.status).toBe(a.status);
  if (a.status !== 503 && a.status !== 429) expect(a.headers['retry-after']).toBeUndefined();
  const wire = JSON.stringify(a.body) + JSON.stringify(a.headers);
  for (const text of forbidden) expect(wire).not.toContain(text);
  expect(wire).not.toMatch(/eyJ[\w-]+\.[\w-]+/);
  return a;
}

describe('toHttpAnswer: 429 throttled', () => {
  const throttled = (headers?: Record<string, string>) =>
    vaultRestError({ status: 429, code: 'Throttled', message: TEXTS.throttled, headers });

  it('answers 503 with the vault Retry-After in seconds', () => {
    const a = checkAnswer(toHttpAnswer(throttled({ 'retry-after': '7' })), [TEXTS.throttled]);
    expect(a.status).toBe(503);
    expect(a.headers['retry-after']).toBe('7');
    expect(a.body).toMatchObject({ cause: 'throttled', retryable: true, type: 'urn:kvtrace:problem:throttled' });
    expect(a.outcome).toBe('throttled');
  });

  it('converts an HTTP-date Retry-After to seconds, rounded up', () => {
    const at = new Date(Date.now() + 30_000).toUTCString();
    const a = checkAnswer(toHttpAnswer(throttled({ 'retry-after': at })));
    const s = Number(a.headers['retry-after']);
    expect(s).toBeGreaterThanOrEqual(28);
    expect(s).toBeLessThanOrEqual(30);
  });

  it('rounds retry-after-ms and x-ms-retry-after-ms up to whole seconds', () => {
    expect(checkAnswer(toHttpAnswer(throttled({ 'retry-after-ms': '1500' }))).headers['retry-after']).toBe('2');
    expect(checkAnswer(toHttpAnswer(throttled({ 'x-ms-retry-after-ms': '2001' }))).headers['retry-after']).toBe('3');
  });

  it('caps Retry-After at a day and always sends whole seconds, whatever retryAfterMs or backoff it is given', () => {
    const kvError = (retryAfterMs: number) =>
      Object.assign(new KeyVaultError('throttled', { status: 429, diagnosis: diagnose({ status: 429, headers: {} }) }), { retryAfterMs });
    const header = (err: unknown, options = {}) => checkAnswer(toHttpAnswer(err, options)).headers['retry-after'];
    expect(header(kvError(1e24))).toBe('86400');
    expect(header(kvError(86_400_001))).toBe('86400');
    expect(header(kvError(1500))).toBe('2');
    expect(header(kvError(-5))).toBe('0');
    expect(header(throttled(), { backoffS: 2.5 })).toBe('3');
    expect(header(throttled(), { backoffS: 1e21 })).toBe('86400');
    expect(header(vaultRestError({ status: 403, code: 'Forbidden', message: TEXTS.accessPolicy, inner: 'AccessDenied' }), { propagationRetry: 1e9 })).toBe('86400');
  });

  it('uses the configured backoff when the vault sent no retry header (real 429s do that)', () => {
    expect(checkAnswer(toHttpAnswer(throttled())).headers['retry-after']).toBe('10');
    expect(checkAnswer(toHttpAnswer(throttled(), { backoffS: 3 })).headers['retry-after']).toBe('3');
  });

  it('lets statusByCause keep 429 (with Retry-After) or make it 502 (without)', () => {
    const kept = checkAnswer(toHttpAnswer(throttled({ 'retry-after': '4' }), { statusByCause: { throttled: 429 } }));
    expect([kept.status, kept.headers['retry-after']]).toEqual([429, '4']);
    const bad = checkAnswer(toHttpAnswer(throttled({ 'retry-after': '4' }), { statusByCause: { throttled: 502 } }));
    expect([bad.status, bad.headers['retry-after'], bad.body.retryable]).toEqual([502, undefined, false]);
  });
});

describe('toHttpAnswer: 401 causes answer 502 (the service is misconfigured, not its client)', () => {
  const now = Math.floor(Date.now() / 1000);
  const challenge = `Bearer authorization="https://login.windows.net/${TENANT}", resource="https://vault.azure.net"`;
  const cases: Array<[string, () => Promise<Parameters<typeof vaultRestError>[0]>]> = [
    ['challenge', async () => ({ status: 401, code: 'Unauthorized', message: TEXTS.noToken, token: null, headers: { 'www-authenticate': challenge } })],
    ['token_expired', async () => ({ status: 401, code: 'Unauthorized', message: TEXTS.expired, token: await mintToken({ exp: now - 600, nbf: now - 4000, iat: now - 4000 }), headers: { 'www-authenticate': challenge } })],
    ['token_not_yet_valid', async () => ({ status: 401, code: 'Unauthorized', message: "[TokenNotYetValid] Error validating token: 'S2S12085'.", token: await mintToken({ nbf: now + 3600, exp: now + 7200 }), headers: { 'www-authenticate': challenge } })],
    ['wrong_audience', async () => ({ status: 401, code: 'Unauthorized', message: TEXTS.audience, token: await mintToken({ aud: 'https://management.azure.com/' }), headers: { 'www-authenticate': challenge } })],
    ['wrong_tenant', async () => ({ status: 401, code: 'Unauthorized', message: TEXTS.issuer, token: await mintToken({ tid: OTHER_TENANT, iss: `https://sts.windows.net/${OTHER_TENANT}/` }), headers: { 'www-authenticate': challenge } })],
    ['claims_challenge', async () => ({ status: 401, code: 'Unauthorized', message: 'Continuous access evaluation resulted in challenge', token: await mintToken(), headers: { 'www-authenticate': `${challenge}, error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsibmJmIjp7ImVzc2VudGlhbCI6dHJ1ZX19fQ=="` } })],
    ['unauthenticated', async () => ({ status: 401, code: 'Unauthorized', message: 'AKV10001: Unable to parse token.', token: await mintToken(), headers: { 'www-authenticate': challenge } })],
  ];
  for (const [cause, make] of cases) {
    it(cause, async () => {
      const f = await make();
      const a = checkAnswer(toHttpAnswer(vaultRestError(f)), [f.message, ...(f.token ? [f.token] : [])]);
      expect(a.status).toBe(502);
      expect(a.body).toMatchObject({ cause, retryable: false });
      expect(a.outcome).toBe(cause === 'challenge' ? 'challenge' : 'unauthenticated');
      expect(Object.keys(a.body).sort()).toEqual(BASE_KEYS);
    });
  }
});

describe('toHttpAnswer: 403 causes', () => {
  const cases: Array<[string, string, string | undefined]> = [
    ['firewall', TEXTS.firewall, 'ForbiddenByFirewall'],
    ['access_policy', TEXTS.accessPolicy, 'AccessDenied'],
    ['rbac', TEXTS.rbac, 'ForbiddenByRbac'],
    ['secret_disabled', TEXTS.disabled, 'SecretDisabled'],
    ['key_operation_forbidden', TEXTS.keyOperation, 'KeyOperationForbidden'],
    ['forbidden', 'Operation not allowed.', undefined],
  ];
  for (const [cause, message, inner] of cases) {
    it(`${cause} answers 502 and says nothing of the caller`, async () => {
      const token = await mintToken();
      const err = vaultRestError({ status: 403, code: 'Forbidden', message, inner, token });
      const a = checkAnswer(toHttpAnswer(err), [message.slice(0, 40), APP_ID, OID, TENANT, token, '203.0.113.7']);
      expect([a.status, a.body.cause, a.outcome, a.body.retryable]).toEqual([502, cause, 'forbidden', false]);
    });
  }

  it('answers rbac and access_policy 503 + Retry-After when propagation retry is opted in', async () => {
    const token = await mintToken();
    const rbac = vaultRestError({ status: 403, code: 'Forbidden', message: TEXTS.rbac, inner: 'ForbiddenByRbac', token });
    const policy = vaultRestError({ status: 403, code: 'Forbidden', message: TEXTS.accessPolicy, inner: 'AccessDenied', token });
    const firewall = vaultRestError({ status: 403, code: 'Forbidden', message: TEXTS.firewall, inner: 'ForbiddenByFirewall', token });
    const on = checkAnswer(toHttpAnswer(rbac, { propagationRetry: true }));
    expect([on.status, on.headers['retry-after'], on.body.retryable]).toEqual([503, '60', true]);
    expect(checkAnswer(toHttpAnswer(policy, { propagationRetry: 120 })).headers['retry-after']).toBe('120');
    expect(checkAnswer(toHttpAnswer(firewall, { propagationRetry: true })).status).toBe(502);
    expect(checkAnswer(toHttpAnswer(rbac)).status).toBe(502);
  });
});

describe('toHttpAnswer: 404, 409, 400, 5xx', () => {
  it('404 stays 404 by default and follows notFoundStatus', () => {
    const err = vaultRestError({ status: 404, code: 'SecretNotFound', message: TEXTS.notFound });
    const a = checkAnswer(toHttpAnswer(err), [TEXTS.notFound.slice(0, 30)]);
    expect([a.status, a.body.cause, a.outcome, a.headers['retry-after']]).toEqual([404, 'not_found', 'not_found', undefined]);
    expect(checkAnswer(toHttpAnswer(err, { notFoundStatus: 410 })).status).toBe(410);
  });

  it('409 being_recovered answers 503 with Retry-After, other 409s 502', () => {
    const recovering = vaultRestError({ status: 409, code: 'Conflict', message: TEXTS.beingRecovered, inner: 'ObjectIsBeingRecovered', method: 'PUT' });
    const a = checkAnswer(toHttpAnswer(recovering, { backoffS: 2 }));
    expect([a.status, a.body.cause, a.headers['retry-after'], a.body.retryable]).toEqual([503, 'being_recovered', '2', true]);
    const deleted = vaultRestError({ status: 409, code: 'Conflict', message: TEXTS.deletedRecoverable, inner: 'ObjectIsDeletedButRecoverable', method: 'PUT' });
    const b = checkAnswer(toHttpAnswer(deleted));
    expect([b.status, b.body.cause, b.outcome]).toEqual([502, 'deleted_recoverable', 'conflict']);
  });

  it('400 answers 502 bad_request', () => {
    const err = vaultRestError({ status: 400, code: 'BadParameter', message: TEXTS.badVersion });
    const a = checkAnswer(toHttpAnswer(err), [TEXTS.badVersion]);
    expect([a.status, a.body.cause]).toEqual([502, 'bad_request']);
  });

  it('5xx answers 503 with the vault Retry-After, else the backoff', () => {
    const busy = vaultRestError({ status: 503, code: 'ServiceUnavailable', message: TEXTS.internal, headers: { 'retry-after': '4' } });
    const a = checkAnswer(toHttpAnswer(busy));
    expect([a.status, a.body.cause, a.headers['retry-after']]).toEqual([503, 'vault_unavailable', '4']);
    const broken = vaultRestError({ status: 500, code: 'InternalServerError', message: TEXTS.internal });
    expect(checkAnswer(toHttpAnswer(broken, { backoffS: 6 })).headers['retry-after']).toBe('6');
  });
});

describe('toHttpAnswer: network errors and timeouts', () => {
  it('a send error to a vault answers 503 with the backoff', () => {
    for (const code of ['REQUEST_SEND_ERROR', 'ECONNREFUSED', 'ECONNRESET']) {
      const a = checkAnswer(toHttpAnswer(networkRestError(code), { backoffS: 5 }));
      expect([a.status, a.body.cause, a.headers['retry-after'], a.outcome]).toEqual([503, 'network_error', '5', 'error']);
    }
  });

  it('a timeout answers 504 without Retry-After', () => {
    const reason: unknown = (() => {
      const signal = AbortSignal.abort(new DOMException('The operation timed out.', 'TimeoutError'));
      return signal.reason;
    })();
    class AbortError extends Error {
      override name = 'AbortError';
    }
    const sdkAbort = new AbortError('The operation was aborted. Rejecting from abort signal callback while making request.');
    for (const err of [reason, sdkAbort, networkRestError('ETIMEDOUT')]) {
      const a = checkAnswer(toHttpAnswer(err));
      expect([a.status, a.body.cause, a.headers['retry-after'], a.body.retryable]).toEqual([504, 'timeout', undefined, true]);
    }
    expect(toHttpAnswer(sdkAbort, { bareTimeouts: false })).toBeNull();
    expect(checkAnswer(toHttpAnswer(networkRestError('ETIMEDOUT'), { bareTimeouts: false })).status).toBe(504);
  });
});

describe('toHttpAnswer: @azure/identity errors', () => {
  const description =
    "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '" +
    APP_ID + "'. Trace ID: 0f1e2d3c Correlation ID: 4b5a6978 Timestamp: 2026-11-23 04:00:00Z";
  const rejected = () =>
    new AuthenticationError(401, { error: 'invalid_client', error_description: description, error_codes: [7000215] });

  it('AuthenticationError answers 502 and names the AADSTS code only with expose', () => {
    const a = checkAnswer(toHttpAnswer(rejected()), [APP_ID, 'AADSTS', 'Trace ID']);
    expect([a.status, a.body.cause, a.outcome, a.body.retryable]).toEqual([502, 'authentication_failed', 'unauthenticated', false]);
    const b = checkAnswer(toHttpAnswer(rejected(), { expose: true }), [APP_ID, 'Trace ID', 'Correlation']);
    expect(b.body.hint).toContain('AADSTS7000215');
    expect(b.body.hint).toContain('secret value, not its ID');
  });

  it('AuthenticationRequiredError (what identity 4.x makes of MSAL\'s invalid_client) answers 502 too', () => {
    const err = new AuthenticationRequiredError({
      scopes: ['https://vault.azure.net/.default'],
      message: `invalid_client: Error(s): 7000215 - Timestamp: 2026-11-23 04:27:32Z - Description: ${description}`,
    });
    const a = checkAnswer(toHttpAnswer(err, { expose: true }), [APP_ID, 'Trace ID']);
    expect([a.status, a.body.cause]).toEqual([502, 'authentication_failed']);
    expect(a.body.hint).toBe(
      'Microsoft Entra ID refused to issue a token (AADSTS7000215, invalid_client): the client secret is wrong: configure the secret value, not its ID.',
    );
  });

  it('CredentialUnavailableError answers 503 with the configured Retry-After', () => {
    const err = new CredentialUnavailableError('ManagedIdentityCredential: no managed identity endpoint found.');
    const a = checkAnswer(toHttpAnswer(err, { backoffS: 15 }));
    expect([a.status, a.body.cause, a.headers['retry-after']]).toEqual([503, 'credential_unavailable', '15']);
  });

  it('a chained credential: a real rejection beats "unavailable"', () => {
    const unavailable = new CredentialUnavailableError('EnvironmentCredential is unavailable.');
    const both = new AggregateAuthenticationError([unavailable, rejected()], 'ChainedTokenCredential authentication failed.');
    expect(checkAnswer(toHttpAnswer(both)).status).toBe(502);
    const none = new AggregateAuthenticationError([unavailable], 'ChainedTokenCredential authentication failed.');
    expect(checkAnswer(toHttpAnswer(none)).status).toBe(503);
  });
});
