import { describe, expect, it } from 'vitest';
import * as core from '../src/index.js';

/** DESIGN.md "Telemetry contract", verbatim: dashboards and alerts query these strings. */
const CONTRACT = [
  'azure.resource_provider.namespace', 'azure.service.request.id', 'keyvault.vault.region', 'keyvault.vault.name',
  'keyvault.vault.kind', 'keyvault.operation', 'keyvault.object.name', 'keyvault.api_version', 'keyvault.client_request_id',
  'keyvault.network.client_address', 'keyvault.network.connection_type', 'keyvault.token.present', 'keyvault.token.format',
  'keyvault.token.aud', 'keyvault.token.iss', 'keyvault.token.tid', 'keyvault.token.appid', 'keyvault.token.oid',
  'keyvault.token.idtyp', 'keyvault.token.iat', 'keyvault.token.nbf', 'keyvault.token.exp', 'keyvault.token.expires_in_s',
  'keyvault.challenge.resource', 'keyvault.challenge.tenant', 'keyvault.outcome', 'keyvault.cause', 'keyvault.hint',
  'keyvault.error.code', 'keyvault.error.inner_code', 'keyvault.retryable', 'keyvault.retry_after_ms',
  'keyvault.throttle.limit', 'keyvault.throttle.utilization',
];

describe('telemetry names', () => {
  const attrs = Object.entries(core).filter(([k]) => k.startsWith('ATTR_KEYVAULT_') || k.startsWith('ATTR_AZURE_'));

  it('exports one ATTR_* constant for every attribute of the contract, and no other', () => {
    expect(attrs.map(([, v]) => v).sort()).toEqual([...CONTRACT].sort());
  });

  it('names each constant after its value', () => {
    for (const [k, v] of attrs) expect(k).toBe(`ATTR_${String(v).toUpperCase().replace(/\./g, '_')}`);
  });

  it('exports the metric, event and value names', () => {
    expect(core).toMatchObject({
      METRIC_KEYVAULT_REQUESTS: 'keyvault.requests',
      METRIC_KEYVAULT_REQUESTS_UNIT: '{request}',
      METRIC_KEYVAULT_RETRY_AFTER: 'keyvault.retry_after',
      METRIC_KEYVAULT_RETRY_AFTER_UNIT: 's',
      METRIC_KEYVAULT_THROTTLE_UTILIZATION: 'keyvault.throttle.utilization',
      METRIC_KEYVAULT_THROTTLE_UTILIZATION_UNIT: '1',
      EVENT_KEYVAULT_DIAGNOSIS: 'keyvault.diagnosis',
      CAUSE_NONE: 'none',
      KEYVAULT_RESOURCE_PROVIDER_NAMESPACE: 'Microsoft.KeyVault',
      ATTR_HTTP_RESPONSE_STATUS_CODE: 'http.response.status_code',
    });
  });
});

describe('CAUSES', () => {
  it("is DESIGN.md's cause table, in order, each once", () => {
    expect(core.CAUSES).toEqual([
      'challenge', 'missing_token', 'token_expired', 'token_not_yet_valid', 'wrong_audience', 'wrong_tenant',
      'claims_challenge', 'unauthenticated', 'firewall', 'access_policy', 'rbac', 'forbidden', 'secret_disabled',
      'key_operation_forbidden', 'deleted_recoverable', 'being_recovered', 'throttled', 'bad_request',
    ]);
  });
});
