/**
 * The Key Vault calls the e2e app makes, one per DESIGN.md cause row that
 * fake-vault can produce, on both stacks (Azure SDK over node:https, fetch over
 * undici). Each case sets the vault up, asks the app to make the call, and
 * puts the vault back. The app's answers (what it read) are kept for the
 * byte-identity comparison with a run without kvtrace.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { FakeVault } from '@kvtrace/fake-vault';
import type { AppProcess } from './app-process.js';
import type { ReceivedSpan } from './otlp-receiver.js';

export const SECRET_NAME = 'db-password';
/** Seeded disabled: 403 SecretDisabled. */
export const DISABLED_SECRET = 'retired-password';
/** Seeded RSA-2048 key whose key_ops allow only verify: sign is 403 KeyOperationForbidden. */
export const VERIFY_ONLY_KEY = 'verify-key';
/** Seeded RSA-2048 key with every operation. */
export const SIGNING_KEY = 'signing-key';

export interface KvCase {
  id: string;
  via: 'sdk' | 'sdk-token' | 'fetch' | 'sdk-key' | 'sdk-sign' | 'fetch-sign';
  /** Token for `sdk-token` and `fetch` (none: fetch without Authorization). */
  token?: (vault: FakeVault, other: string) => Promise<string>;
  setup?: (vault: FakeVault) => void;
  teardown?: (vault: FakeVault) => void;
  /** Object name (default SECRET_NAME). */
  name?: string;
  /** `keyvault.operation` of the case's last span (default `secrets.get`). */
  operation?: string;
}

const valid = (v: FakeVault): Promise<string> => v.mintToken();
const expired = (v: FakeVault): Promise<string> => v.mintToken({ expiresInS: -600 });
const notYet = (v: FakeVault): Promise<string> => v.mintToken({ notBeforeInS: 900 });
const arm = (v: FakeVault): Promise<string> => v.mintToken({ aud: 'https://management.azure.com/' });
const otherTenant = (v: FakeVault, other: string): Promise<string> =>
  v.mintToken({ tid: other, iss: `https://sts.windows.net/${other}/` });
const opaque = (): Promise<string> => Promise.resolve(`opaque-${randomBytes(12).toString('hex')}`);
const revokeGet = (v: FakeVault): void => v.revoke(v.objectId, { secrets: ['get'] });
const grantGet = (v: FakeVault): void => v.grant(v.objectId, { secrets: ['get'] });
const firewallOn = (v: FakeVault): void => v.setFirewall({ allow: ['10.0.0.0/8'] });
const firewallOff = (v: FakeVault): void => v.setFirewall(null);
const throttleOff = (v: FakeVault): void => v.setThrottle(null);
const rbacDeny = (v: FakeVault): void => {
  v.setAuthorization('rbac');
  v.unassignRole(v.objectId);
};
const rbacRestore = (v: FakeVault): void => {
  v.assignRole(v.objectId, 'Key Vault Administrator');
  v.setAuthorization('access-policy');
};
const claimsOnce = (v: FakeVault): void => v.inject({ claimsChallenge: true, times: 1, match: { operation: 'get' } });
const faultsOff = (v: FakeVault): void => v.clearFaults();
const gzipped =
  (inner?: (v: FakeVault) => void) =>
  (v: FakeVault): void => {
    v.setGzip(true);
    inner?.(v);
  };
const gzipOff =
  (inner?: (v: FakeVault) => void) =>
  (v: FakeVault): void => {
    v.setGzip(false);
    inner?.(v);
  };

export const CASES: readonly KvCase[] = [
  { id: 'sdk-ok', via: 'sdk' },
  { id: 'sdk-expired', via: 'sdk-token', token: expired },
  { id: 'sdk-nbf', via: 'sdk-token', token: notYet },
  { id: 'sdk-audience', via: 'sdk-token', token: arm },
  { id: 'sdk-tenant', via: 'sdk-token', token: otherTenant },
  { id: 'sdk-opaque', via: 'sdk-token', token: opaque },
  { id: 'sdk-policy', via: 'sdk', setup: revokeGet, teardown: grantGet },
  { id: 'sdk-firewall', via: 'sdk', setup: firewallOn, teardown: firewallOff },
  { id: 'sdk-throttle-retry', via: 'sdk', setup: (v) => v.setThrottle({ retryAfterS: 1, count: 1 }), teardown: throttleOff },
  { id: 'sdk-throttle-bare', via: 'sdk', setup: (v) => v.setThrottle({ count: 1 }), teardown: throttleOff },
  { id: 'sdk-rbac', via: 'sdk', setup: rbacDeny, teardown: rbacRestore },
  { id: 'sdk-disabled', via: 'sdk', name: DISABLED_SECRET },
  { id: 'sdk-claims', via: 'sdk', setup: claimsOnce, teardown: faultsOff },
  { id: 'sdk-ok-gzip', via: 'sdk', setup: gzipped(), teardown: gzipOff() },
  { id: 'sdk-policy-gzip', via: 'sdk', setup: gzipped(revokeGet), teardown: gzipOff(grantGet) },
  { id: 'sdk-key-ok', via: 'sdk-key', name: SIGNING_KEY, operation: 'keys.get' },
  // The SDK's CryptographyClient refuses a sign the key's key_ops exclude before sending it, so the 403 comes via fetch.
  { id: 'sdk-sign-ok', via: 'sdk-sign', name: SIGNING_KEY, operation: 'keys.sign' },
  { id: 'fetch-ok', via: 'fetch', token: valid },
  { id: 'fetch-missing', via: 'fetch' },
  { id: 'fetch-expired', via: 'fetch', token: expired },
  { id: 'fetch-nbf', via: 'fetch', token: notYet },
  { id: 'fetch-audience', via: 'fetch', token: arm },
  { id: 'fetch-tenant', via: 'fetch', token: otherTenant },
  { id: 'fetch-opaque', via: 'fetch', token: opaque },
  { id: 'fetch-policy', via: 'fetch', token: valid, setup: revokeGet, teardown: grantGet },
  { id: 'fetch-firewall', via: 'fetch', token: valid, setup: firewallOn, teardown: firewallOff },
  { id: 'fetch-throttle', via: 'fetch', token: valid, setup: (v) => v.setThrottle({ retryAfterS: 2, count: 1 }), teardown: throttleOff },
  { id: 'fetch-rbac', via: 'fetch', token: valid, setup: rbacDeny, teardown: rbacRestore },
  { id: 'fetch-disabled', via: 'fetch', token: valid, name: DISABLED_SECRET },
  { id: 'fetch-claims', via: 'fetch', token: valid, setup: claimsOnce, teardown: faultsOff },
  { id: 'fetch-ok-gzip', via: 'fetch', token: valid, setup: gzipped(), teardown: gzipOff() },
  { id: 'fetch-policy-gzip', via: 'fetch', token: valid, setup: gzipped(revokeGet), teardown: gzipOff(grantGet) },
  { id: 'fetch-sign-forbidden', via: 'fetch-sign', token: valid, name: VERIFY_ONLY_KEY, operation: 'keys.sign' },
];

// One foreign tenant per vault: the AKV10032 text names it, and two runs against one vault must read identical bodies.
const otherTenants = new WeakMap<FakeVault, string>();
function otherTenantOf(vault: FakeVault): string {
  const known = otherTenants.get(vault) ?? randomUUID();
  otherTenants.set(vault, known);
  return known;
}

export interface CaseRun {
  /** What the app read, per case id. */
  answers: Map<string, Record<string, unknown>>;
  /** Every token the test handed to the app. */
  tokens: string[];
}

export async function runCases(app: AppProcess, vault: FakeVault, cases: readonly KvCase[] = CASES): Promise<CaseRun> {
  const answers = new Map<string, Record<string, unknown>>();
  const tokens: string[] = [];
  const other = otherTenantOf(vault);
  for (const c of cases) {
    const token = c.token ? await c.token(vault, other) : undefined;
    if (token !== undefined) tokens.push(token);
    c.setup?.(vault);
    try {
      const headers: Record<string, string> = token === undefined ? {} : { 'x-test-token': token };
      answers.set(c.id, await app.get(`/case/${c.id}/${c.via}/${c.name ?? SECRET_NAME}`, headers));
    } finally {
      c.teardown?.(vault);
    }
  }
  return { answers, tokens };
}

/** The vault client spans made while serving one case, in start order. */
export function caseSpans(spans: readonly ReceivedSpan[], caseId: string): ReceivedSpan[] {
  const server = spans.find((s) => s.kind === 2 && String(s.attributes['url.path'] ?? '').startsWith(`/case/${caseId}/`));
  if (server === undefined) return [];
  return spans
    .filter((s) => s.traceId === server.traceId && s.kind === 3 && s.attributes['keyvault.vault.name'] !== undefined)
    .sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
}

/** The last vault span of a case: the one that carries the case's fault. */
export function faultSpan(spans: readonly ReceivedSpan[], caseId: string): ReceivedSpan {
  const list = caseSpans(spans, caseId);
  const last = list.at(-1);
  if (last === undefined) throw new Error(`no vault span for case ${caseId}`);
  return last;
}

/** A few cases by id, for tests about configuration rather than causes. */
export function pickCases(...ids: string[]): KvCase[] {
  return ids.map((id) => {
    const c = CASES.find((x) => x.id === id);
    if (c === undefined) throw new Error(`no case ${id}`);
    return c;
  });
}
