/**
 * The end-to-end suite of issue 4, run once per start form: a real app
 * process (`--import` ESM / `--require` CJS) calls fake-vault over HTTPS with
 * the real SecretClient and fetch; spans and metrics leave through the real
 * OTLP/HTTP exporter; every assertion is on what the receiver got.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppOptions } from './app-process.js';
import { CASES, SECRET_NAME, VERIFY_ONLY_KEY, caseSpans, faultSpan } from './kv-cases.js';
import type { ReceivedSpan } from './otlp-receiver.js';
import { closeScenario, runScenario, type Scenario } from './scenario.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function defineCauseSuite(entry: AppOptions['entry'], preload: '--import' | '--require', protocol: string): void {
  describe(`${preload} @kvtrace/register, ${entry}, OTLP ${protocol}`, () => {
    let ctx: Scenario;
    let spans: ReceivedSpan[];
    beforeAll(async () => {
      ctx = await runScenario({
        entry,
        preload,
        env: (receiver) => ({
          OTEL_SERVICE_NAME: 'kv-e2e',
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
          // Long enough that only the flush at beforeExit can deliver spans and metrics.
          OTEL_METRIC_EXPORT_INTERVAL: '600000',
          OTEL_BSP_SCHEDULE_DELAY: '600000',
        }),
      });
      spans = ctx.receiver.spans();
    }, 60_000);
    afterAll(() => closeScenario(ctx));

    const fault = (id: string): ReceivedSpan => faultSpan(spans, id);
    const attrs = (id: string): Record<string, unknown> => fault(id).attributes;

    it('the app ran every case, exited on its own with code 0, and the exporter used the encoding asked for', () => {
      expect(ctx.exit).toEqual({ code: 0, signal: null });
      expect(spans[0]!.resource['service.name']).toBe('kv-e2e');
      expect(ctx.app.stderr).not.toMatch(/kvtrace: (not started|could not)/);
      expect(ctx.receiver.errors).toEqual([]);
      expect(ctx.receiver.contentTypes('/v1/traces')).toEqual([protocol === 'http/json' ? 'application/json' : 'application/x-protobuf']);
      expect(ctx.run.answers.get('sdk-ok')).toMatchObject({ ok: true, value: ctx.secretValue });
      for (const c of CASES) expect(caseSpans(spans, c.id).length, c.id).toBeGreaterThan(0);
    });

    it('SDK handshake: the challenge span is OK with the challenge parsed, then the authenticated call carries the claims', () => {
      const [challenge, ok] = caseSpans(spans, 'sdk-ok');
      expect(challenge!.status.code).toBe(1);
      expect(challenge!.attributes).toMatchObject({
        'http.response.status_code': 401,
        'keyvault.outcome': 'challenge',
        'keyvault.cause': 'challenge',
        'keyvault.token.present': false,
        'keyvault.challenge.resource': 'https://vault.azure.net',
        'keyvault.challenge.tenant': ctx.vault.tenantId,
      });
      expect(ok!.status.code).not.toBe(2);
      expect(ok!.attributes).toMatchObject({
        'http.response.status_code': 200,
        'keyvault.outcome': 'ok',
        'keyvault.token.present': true,
        'keyvault.token.format': 'jwt',
        'keyvault.token.aud': 'https://vault.azure.net',
        'keyvault.token.tid': ctx.vault.tenantId,
        'keyvault.token.iss': `https://sts.windows.net/${ctx.vault.tenantId}/`,
        'keyvault.token.appid': ctx.vault.clientId,
        'keyvault.token.oid': ctx.vault.objectId,
      });
      const a = ok!.attributes;
      expect(a['keyvault.token.exp']).toBeTypeOf('number');
      expect(a['keyvault.token.iat']).toBeTypeOf('number');
      expect(a['keyvault.token.expires_in_s']).toBeGreaterThan(3000);
    });

    it('every vault span names vault, operation, object, request ids, region and network info', () => {
      const vaultSpans = CASES.flatMap((c) => caseSpans(spans, c.id).map((s) => ({ c, s })));
      expect(vaultSpans.length).toBeGreaterThanOrEqual(CASES.length);
      for (const { c, s } of vaultSpans) {
        const name = c.name ?? SECRET_NAME;
        expect(s.attributes, c.id).toMatchObject({
          'azure.resource_provider.namespace': 'Microsoft.KeyVault',
          'keyvault.vault.name': ctx.vault.vaultName,
          'keyvault.vault.kind': 'vault',
          'keyvault.object.name': name,
          'keyvault.vault.region': 'eastus',
          'keyvault.network.client_address': '127.0.0.1',
        });
        expect(s.attributes['keyvault.operation'], c.id).toMatch(/^(secrets|keys)\.[a-z_]+$/);
        expect(s.attributes['azure.service.request.id'], c.id).toMatch(UUID);
        expect(String(s.attributes['url.full']), c.id).toMatch(
          new RegExp(`^${ctx.vault.vaultUrl.replace(/\./g, '\\.')}/(secrets|keys)/${name}(/[\\w/]*)?\\?api-version=[\\w.-]+$`),
        );
      }
      for (const c of CASES.filter((x) => x.operation !== 'keys.sign')) {
        expect(faultSpan(spans, c.id).attributes['keyvault.operation'], c.id).toBe(c.operation ?? 'secrets.get');
      }
      // The Azure SDK sends x-ms-client-request-id; the vault echoes it.
      expect(attrs('sdk-policy')['keyvault.client_request_id']).toMatch(UUID);
      expect(attrs('sdk-ok')['keyvault.network.connection_type']).toBeTypeOf('string');
    });

    it('keyvault.api_version on every vault span, including the SDK\'s (it sends the key encoded: api%2Dversion=)', () => {
      for (const c of CASES) {
        for (const s of caseSpans(spans, c.id)) {
          const fromUrl = /api-version=([\w.-]+)/.exec(String(s.attributes['url.full']))?.[1];
          expect(s.attributes['keyvault.api_version'], `${c.id} ${String(s.attributes['url.full'])}`).toBe(fromUrl);
        }
      }
    });

    it.each(['sdk', 'fetch'])('%s: 401 causes token_expired, token_not_yet_valid, wrong_audience, wrong_tenant, unauthenticated', (via) => {
      const expected: Record<string, string> = {
        [`${via}-expired`]: 'token_expired',
        [`${via}-nbf`]: 'token_not_yet_valid',
        [`${via}-audience`]: 'wrong_audience',
        [`${via}-tenant`]: 'wrong_tenant',
        [`${via}-opaque`]: 'unauthenticated',
      };
      for (const [id, cause] of Object.entries(expected)) {
        const s = fault(id);
        expect(s.status.code, id).toBe(2);
        expect(s.attributes, id).toMatchObject({
          'http.response.status_code': 401,
          'keyvault.outcome': 'unauthenticated',
          'keyvault.cause': cause,
          'keyvault.error.code': 'Unauthorized',
          'keyvault.token.present': true,
        });
        expect(String(s.attributes['keyvault.hint']).length, id).toBeGreaterThan(20);
        expect(s.events.find((e) => e.name === 'keyvault.diagnosis')?.attributes, id).toEqual({
          'keyvault.cause': cause,
          'keyvault.hint': s.attributes['keyvault.hint'],
        });
      }
      expect(attrs(`${via}-expired`)['keyvault.token.expires_in_s']).toBeLessThan(0);
      expect(attrs(`${via}-audience`)['keyvault.token.aud']).toBe('https://management.azure.com/');
      expect(attrs(`${via}-tenant`)['keyvault.token.tid']).not.toBe(ctx.vault.tenantId);
      expect(attrs(`${via}-opaque`)['keyvault.token.format']).toBe('opaque');
    });

    it('fetch without a token: a missing_token span with status ERROR', () => {
      const s = fault('fetch-missing');
      expect(s.status.code).toBe(2);
      expect(s.attributes).toMatchObject({
        'http.response.status_code': 401,
        'keyvault.outcome': 'unauthenticated',
        'keyvault.cause': 'missing_token',
        'keyvault.token.present': false,
      });
      expect(fault('fetch-ok').attributes).toMatchObject({ 'keyvault.outcome': 'ok', 'keyvault.token.appid': ctx.vault.clientId });
    });

    it.each(['sdk', 'fetch'])('%s: 403 access_policy names the caller; 403 firewall names the client address', (via) => {
      const policy = fault(`${via}-policy`);
      expect(policy.status.code).toBe(2);
      expect(policy.attributes).toMatchObject({
        'http.response.status_code': 403,
        'keyvault.outcome': 'forbidden',
        'keyvault.cause': 'access_policy',
        'keyvault.error.inner_code': 'AccessDenied',
      });
      expect(String(policy.attributes['keyvault.hint'])).toContain(ctx.vault.objectId);
      const firewall = fault(`${via}-firewall`);
      expect(firewall.attributes).toMatchObject({
        'http.response.status_code': 403,
        'keyvault.cause': 'firewall',
        'keyvault.error.inner_code': 'ForbiddenByFirewall',
      });
      expect(String(firewall.attributes['keyvault.hint'])).toContain('127.0.0.1');
    });

    it.each(['sdk', 'fetch'])('%s: 403 rbac names the action; 403 secret_disabled is not an access problem', (via) => {
      const rbac = fault(`${via}-rbac`);
      expect(rbac.status.code).toBe(2);
      expect(rbac.attributes).toMatchObject({
        'http.response.status_code': 403,
        'keyvault.outcome': 'forbidden',
        'keyvault.cause': 'rbac',
        'keyvault.error.inner_code': 'ForbiddenByRbac',
      });
      expect(String(rbac.attributes['keyvault.hint'])).toContain('Microsoft.KeyVault/vaults/secrets/getSecret/action');
      expect(fault(`${via}-disabled`).attributes).toMatchObject({ 'http.response.status_code': 403, 'keyvault.cause': 'secret_disabled' });
    });

    it.each(['sdk', 'fetch'])('%s: 401 claims_challenge (CAE insufficient_claims)', (via) => {
      const claims = caseSpans(spans, `${via}-claims`).find((s) => s.attributes['keyvault.cause'] === 'claims_challenge');
      expect(claims?.attributes).toMatchObject({ 'http.response.status_code': 401, 'keyvault.token.present': true });
      if (via === 'sdk') {
        // The SDK answers the claims challenge with a new token and succeeds.
        expect(caseSpans(spans, 'sdk-claims').at(-1)!.attributes['http.response.status_code']).toBe(200);
        expect(ctx.run.answers.get('sdk-claims')).toMatchObject({ ok: true, value: ctx.secretValue });
      }
    });

    it.each(['sdk', 'fetch'])('%s: gzip-encoded error bodies are diagnosed like plain ones', (via) => {
      expect(fault(`${via}-policy-gzip`).attributes).toMatchObject({
        'http.response.status_code': 403,
        'keyvault.cause': 'access_policy',
        'keyvault.error.inner_code': 'AccessDenied',
      });
      expect(fault(`${via}-ok-gzip`).attributes).toMatchObject({ 'keyvault.outcome': 'ok' });
    });

    it('KeyClient and CryptographyClient: keys.get ok, the remote sign ok; sign on a verify-only key is key_operation_forbidden', () => {
      expect(fault('sdk-key-ok').attributes).toMatchObject({ 'http.response.status_code': 200, 'keyvault.operation': 'keys.get', 'keyvault.outcome': 'ok' });
      expect(fault('sdk-sign-ok').attributes).toMatchObject({ 'http.response.status_code': 200, 'keyvault.outcome': 'ok' });
      expect(ctx.run.answers.get('sdk-sign-ok')).toMatchObject({ ok: true, algorithm: 'RS256', bytes: 256 });
      const sign = fault('fetch-sign-forbidden');
      expect(sign.status.code).toBe(2);
      expect(sign.attributes).toMatchObject({
        'http.response.status_code': 403,
        'keyvault.object.name': VERIFY_ONLY_KEY,
        'keyvault.cause': 'key_operation_forbidden',
      });
    });

    it('keys.sign is named keys.sign with the empty version segment the SDK sends (/keys/<name>//sign)', () => {
      for (const id of ['sdk-sign-ok', 'fetch-sign-forbidden']) {
        const s = fault(id);
        expect(String(s.attributes['url.full']), id).toContain('//sign?');
        expect(s.attributes['keyvault.operation'], id).toBe('keys.sign');
      }
    });

    it('429: the throttled span carries retry-after (when sent), the limit and the utilization; the SDK retried', () => {
      const sdk = caseSpans(spans, 'sdk-throttle-retry');
      const throttled = sdk.find((s) => s.attributes['http.response.status_code'] === 429)!;
      expect(throttled.status.code).toBe(2);
      expect(throttled.attributes).toMatchObject({
        'keyvault.outcome': 'throttled',
        'keyvault.cause': 'throttled',
        'keyvault.retryable': true,
        'keyvault.retry_after_ms': 1000,
        'keyvault.throttle.limit': 4000,
      });
      expect(throttled.attributes['keyvault.throttle.utilization']).toBeGreaterThan(0);
      expect(sdk.at(-1)!.attributes['http.response.status_code']).toBe(200);
      expect(ctx.run.answers.get('sdk-throttle-retry')).toMatchObject({ ok: true, value: ctx.secretValue });

      const bare = fault('sdk-throttle-bare');
      expect(bare.attributes).toMatchObject({ 'http.response.status_code': 429, 'keyvault.cause': 'throttled' });
      expect(bare.attributes).not.toHaveProperty('keyvault.retry_after_ms');
      expect(ctx.run.answers.get('sdk-throttle-bare')).toMatchObject({ ok: false, statusCode: 429 });
      expect(fault('fetch-throttle').attributes).toMatchObject({ 'keyvault.cause': 'throttled', 'keyvault.retry_after_ms': 2000 });
    });

    it('OTLP metrics: keyvault.requests matches the spans row for row; retry_after and utilization recorded', () => {
      expect(ctx.receiver.contentTypes('/v1/metrics')).toEqual([protocol === 'http/json' ? 'application/json' : 'application/x-protobuf']);
      const requests = ctx.receiver.latestMetric('keyvault.requests')!;
      expect(requests).toMatchObject({ type: 'sum', unit: '{request}' });
      const vaultSpans = spans.filter((s) => s.kind === 3 && s.attributes['keyvault.vault.name'] === ctx.vault.vaultName);
      const key = (a: Record<string, unknown>): string =>
        [a['keyvault.operation'], a['http.response.status_code'], a['keyvault.outcome'], a['keyvault.cause'] ?? 'none'].join('|');
      const fromSpans = new Map<string, number>();
      for (const s of vaultSpans) fromSpans.set(key(s.attributes), (fromSpans.get(key(s.attributes)) ?? 0) + 1);
      const fromMetric = new Map(
        requests.points.filter((p) => p.attributes['keyvault.vault.name'] === ctx.vault.vaultName).map((p) => [key(p.attributes), p.value]),
      );
      expect(fromMetric).toEqual(fromSpans);
      // Exactly the five low-cardinality keys of DESIGN.md's metrics table: no object name, no request id.
      for (const p of requests.points) {
        expect(Object.keys(p.attributes).sort()).toEqual([
          'http.response.status_code',
          'keyvault.cause',
          'keyvault.operation',
          'keyvault.outcome',
          'keyvault.vault.name',
        ]);
      }
      expect(fromMetric.get('secrets.get|401|unauthenticated|missing_token')).toBe(1);

      const retryAfter = ctx.receiver.latestMetric('keyvault.retry_after')!;
      expect(retryAfter).toMatchObject({ type: 'histogram', unit: 's' });
      expect(retryAfter.points).toEqual([
        expect.objectContaining({
          attributes: { 'keyvault.vault.name': ctx.vault.vaultName, 'keyvault.operation': 'secrets.get' },
          count: 2,
          sum: 3,
        }),
      ]);
      const utilization = ctx.receiver.latestMetric('keyvault.throttle.utilization')!;
      expect(utilization.unit).toBe('1');
      expect(utilization.points.find((p) => p.attributes['keyvault.vault.name'] === ctx.vault.vaultName)?.value).toBeGreaterThan(0);
    });

    it('the received bytes hold no token, signature, secret value or client secret', () => {
      const bytes = ctx.receiver.allBytes().toString('latin1');
      expect(bytes.length).toBeGreaterThan(1000);
      expect(bytes).toContain(ctx.vault.clientId); // the claims did arrive, so the scan looks at real data
      const forbidden = [ctx.secretValue, ctx.vault.clientSecret, 'client_secret'];
      for (const token of ctx.run.tokens) {
        forbidden.push(token);
        const signature = token.split('.')[2];
        if (signature) forbidden.push(signature);
      }
      for (const value of forbidden) expect(bytes.includes(value), `leaked: ${value.slice(0, 12)}...`).toBe(false);
      // Tokens the app's own credential obtained are unknown to the test: no JWT shape may appear at all.
      expect(bytes).not.toMatch(/eyJ[\w-]{8,}\.eyJ[\w-]{8,}/);
      // Hints may say "send Authorization: Bearer ..."; a credential after the scheme may never appear.
      expect(bytes).not.toMatch(/Bearer\s+[\w.~+/-]{16,}/);
    });
  });
}
