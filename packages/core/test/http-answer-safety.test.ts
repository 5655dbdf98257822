import { describe, expect, it } from 'vitest';
import { RestError, createPipelineRequest } from '@azure/core-rest-pipeline';
import { toHttpAnswer, validateHttpAnswerOptions } from '../src/http-answer.js';
import { KeyVaultError } from '../src/keyvault-error.js';
import { APP_ID, OID, SECRET_VALUE, TENANT, TEXTS, mintToken, vaultRestError } from './http-answer-fixtures.js';

describe('toHttpAnswer: what is not its business', () => {
  it('returns null for anything that is not a vault or identity failure', () => {
    const storage = new RestError('The specified blob does not exist.', {
      statusCode: 404,
      code: 'BlobNotFound',
      request: createPipelineRequest({ url: 'https://acct.blob.core.windows.net/c/b' }),
    });
    const noRequest = new RestError('Throttled', { statusCode: 429 });
    for (const err of [new Error('boom'), new TypeError('x is undefined'), storage, noRequest, 'a string', 42, null, undefined, {}]) {
      expect(toHttpAnswer(err)).toBeNull();
    }
  });

  it('finds a vault failure down an Error.cause chain', () => {
    const vault = vaultRestError({ status: 429, code: 'Throttled', message: TEXTS.throttled, headers: { 'retry-after': '3' } });
    const wrapped = new Error('loading settings failed', { cause: new Error('secret fetch failed', { cause: vault }) });
    const a = toHttpAnswer(wrapped);
    expect([a?.status, a?.headers['retry-after']]).toEqual([503, '3']);
  });

  it('stops on cycles and beyond a bounded depth', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(toHttpAnswer(a)).toBeNull();
    let deep: Error = vaultRestError({ status: 429, code: 'Throttled', message: TEXTS.throttled });
    for (let i = 0; i < 20; i++) deep = new Error(`wrap ${i}`, { cause: deep });
    expect(toHttpAnswer(deep)).toBeNull();
  });

  it('never throws, even on hostile objects', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
      },
    );
    expect(toHttpAnswer(hostile)).toBeNull();
    const badHeaders = vaultRestError({ status: 429, code: 'Throttled', message: TEXTS.throttled, headers: { 'retry-after': '3' } });
    expect(toHttpAnswer(badHeaders)?.headers['retry-after']).toBe('3');
    Object.defineProperty(badHeaders, 'response', { value: { headers: { get: () => { throw new Error('x'); } } } });
    // Broken headers read as absent: still a throttled vault, with the backoff.
    const a = toHttpAnswer(badHeaders);
    expect([a?.status, a?.headers['retry-after']]).toEqual([503, '10']);
  });
});

describe('toHttpAnswer: expose', () => {
  async function accessDenied() {
    const token = await mintToken();
    const err = vaultRestError({ status: 403, code: 'Forbidden', message: TEXTS.accessPolicy, inner: 'AccessDenied', token });
    return { token, err };
  }

  it('off: the body has only the RFC 9457 members and kvtrace fields, nothing from the vault', async () => {
    const { token, err } = await accessDenied();
    const a = toHttpAnswer(err, { traceId: '0af7651916cd43dd8448eb211c80319c' });
    expect(Object.keys(a?.body ?? {}).sort()).toEqual(['cause', 'detail', 'retryable', 'status', 'title', 'traceId', 'type']);
    expect(a?.body.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    const wire = JSON.stringify(a);
    for (const leak of [token, APP_ID, OID, TENANT, 'myvault', 'does not have secrets get', 'AccessDenied']) {
      expect(JSON.stringify(a?.body)).not.toContain(leak);
    }
    expect(wire).not.toContain(token);
  });

  it('on: adds the hint and vault details, still without token or claim values', async () => {
    const { token, err } = await accessDenied();
    const a = toHttpAnswer(err, { expose: true });
    const body = a?.body;
    expect(body?.hint).toBeTruthy();
    expect(body?.vault).toMatchObject({ name: 'myvault', operation: 'secrets.get', errorCode: 'Forbidden', innerCode: 'AccessDenied' });
    expect(body?.vault?.requestId).toBe('a1b2c3d4-0000-4000-8000-000000000001');
    expect(body?.vault?.message).toContain('does not have secrets get permission');
    const wire = JSON.stringify(body);
    for (const leak of [token, token.split('.')[2] ?? 'sig', APP_ID, OID, TENANT]) expect(wire).not.toContain(leak);
  });

  // Opaque tokens (a gateway's own, a managed identity's in some clouds) have no shape to recognise:
  // only the value that was sent, or the scheme in front of it, gives them away.
  describe('an echoed credential never reaches vault.message', () => {
    const opaque = `opq_${'Zk3-'.repeat(12)}`; // 52 characters, no JWT shape
    const echoed = (message: string, token: string | null = opaque) =>
      toHttpAnswer(vaultRestError({ status: 403, code: 'Forbidden', message, token }), { expose: true })?.body.vault?.message;

    it.each([
      ['after Bearer', `upstream proxy rejected Authorization: Bearer ${opaque} (policy 7)`],
      ['bare, in quotes', `token '${opaque}' is not allowed by the gateway`],
      ['after PoP, lower case', `pop ${opaque} refused`],
      ['twice in a row', `${opaque}|${opaque}`],
    ])('the sent opaque token, %s', (_where, message) => {
      const shown = echoed(message);
      expect(shown).toContain('<token>');
      expect(shown).not.toContain(opaque);
      expect(shown).not.toContain(opaque.slice(4, 20));
    });

    it('any credential after Bearer or PoP, even one that was not sent (another hop\'s)', () => {
      const other = 'aGVsbG8td29ybGQtc2VjcmV0LXRva2Vu+/==';
      const shown = echoed(`hop 2 said: Bearer ${other}, hop 3 said: PoP ${other.slice(0, 12)}`, null);
      expect(shown).toBe('hop 2 said: Bearer <token>, hop 3 said: PoP <token>');
    });

    it("keeps Key Vault's own texts and an echoed challenge's parameters, and short words after Bearer", () => {
      expect(echoed(TEXTS.noToken)).toBe(TEXTS.noToken);
      const challenge = 'WWW-Authenticate: Bearer authorization="https://login.windows.net/common", resource="https://vault.azure.net"';
      expect(echoed(challenge)).toBe(challenge);
      expect(echoed('Bearer authorization_uri=https://login.windows.net/common')).toBe('Bearer authorization_uri=https://login.windows.net/common');
      expect(echoed('Bearer token expired')).toBe('Bearer token expired');
    });

    it('a sent credential shorter than 8 characters does not eat ordinary words', () => {
      const a = toHttpAnswer(vaultRestError({ status: 403, code: 'Forbidden', message: 'the key is denied', token: 'key' }), { expose: true });
      expect(a?.body.vault?.message).toBe('the key is denied');
    });
  });

  it('on: a secret value that reached a message never does (only vault texts are shown)', () => {
    const err = new Error(`config ${SECRET_VALUE} broke`, {
      cause: vaultRestError({ status: 404, code: 'SecretNotFound', message: TEXTS.notFound }),
    });
    expect(JSON.stringify(toHttpAnswer(err, { expose: true }))).not.toContain(SECRET_VALUE);
  });
});

describe('validateHttpAnswerOptions', () => {
  it('accepts good options and returns a frozen copy', () => {
    const o = validateHttpAnswerOptions({ expose: true, backoffS: 2, statusByCause: { not_found: 410 }, vaultHosts: ['kv.test'] });
    expect(Object.isFrozen(o)).toBe(true);
    expect(validateHttpAnswerOptions(undefined)).toEqual({});
  });

  it.each([
    [{ expose: 'yes' }, 'expose'],
    [{ backoffS: -1 }, 'backoffS'],
    [{ backoffS: Number.NaN }, 'backoffS'],
    [{ propagationRetry: 'soon' }, 'propagationRetry'],
    [{ notFoundStatus: 200 }, 'notFoundStatus'],
    [{ statusByCause: { throttled: 'x' } }, 'statusByCause.throttled'],
    [{ statusByCause: { nonsense: 500 } }, 'statusByCause.nonsense'],
    [{ vaultHosts: 'kv.test' }, 'vaultHosts'],
    [{ bareTimeouts: 1 }, 'bareTimeouts'],
  ])('%j throws a TypeError naming %s', (options, name) => {
    expect(() => validateHttpAnswerOptions(options as never, '@kvtrace/express')).toThrow(TypeError);
    expect(() => validateHttpAnswerOptions(options as never, '@kvtrace/express')).toThrow(`"${name}"`);
  });
});

describe('toHttpAnswer: KeyVaultError (fetch users)', () => {
  const url = 'https://myvault.vault.azure.net/secrets/db-password?api-version=2025-07-01';
  async function fromFetch(status: number, error: object, headers: Record<string, string> = {}, token?: string) {
    const response = new Response(JSON.stringify({ error }), {
      status,
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-ms-request-id': 'req-1', ...headers },
    });
    return KeyVaultError.fromResponse(response, { url, method: 'GET', authorization: token ? `Bearer ${token}` : null });
  }

  it('uses its diagnosis and retry delay', async () => {
    const err = await fromFetch(429, { code: 'Throttled', message: TEXTS.throttled }, { 'retry-after': '9' });
    const a = toHttpAnswer(new Error('wrapped', { cause: err }));
    expect([a?.status, a?.headers['retry-after'], a?.cause]).toEqual([503, '9', 'throttled']);
    const nf = await fromFetch(404, { code: 'SecretNotFound', message: TEXTS.notFound });
    expect(toHttpAnswer(nf)?.status).toBe(404);
  });

  it('with expose shows the hint without the caller ids its message carries', async () => {
    const token = await mintToken();
    const err = await fromFetch(403, { code: 'Forbidden', message: TEXTS.accessPolicy, innererror: { code: 'AccessDenied' } }, {}, token);
    expect(err.message).toContain(OID); // kvtrace's own message names the caller, for logs
    const a = toHttpAnswer(err, { expose: true });
    expect(a?.body).toMatchObject({ status: 502, cause: 'access_policy', vault: { name: 'myvault', innerCode: 'AccessDenied', requestId: 'req-1' } });
    expect(a?.body.hint).toContain('secrets get');
    const wire = JSON.stringify(a?.body);
    for (const leak of [token, APP_ID, OID, TENANT]) expect(wire).not.toContain(leak);
  });
});
