import { randomUUID } from 'node:crypto';
import { debuglog } from 'node:util';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AccessPolicies, checkFirewall } from './access.js';
import type { Collection, FirewallRules } from './access.js';
import { authenticate, challengeHeader, claimsChallengeHeader } from './auth.js';
import type { Caller } from './auth.js';
import type { VaultCloud } from './clouds.js';
import { FaultTable } from './faults.js';
import type { Fault } from './faults.js';
import type { TokenIssuer } from './issuer.js';
import { handleKeys, keyOperation, targetKey } from './keys.js';
import type { KeyEntry } from './keys.js';
import { RoleAssignments, actionOf } from './rbac.js';
import { settleRecoveries } from './objects.js';
import type { DeletedEntry } from './objects.js';
import { handleSecrets, secretOperation } from './secrets.js';
import type { SecretEntry } from './secrets.js';
import { errorBody, throttled } from './texts.js';
import { ThrottleMeter, limitClass } from './throttle.js';
import type { ThrottlingOptions } from './throttle.js';
import type { RecordedRequest, ThrottleSwitch } from './types.js';
import { VaultError, badParameter, checkName } from './vault-error.js';
import type { VaultReply } from './vault-error.js';
import { writeReply } from './reply.js';

/** api-versions the vault accepts (the SDK pins 2025-07-01; 7.x are still served). */
export const API_VERSIONS = new Set(['7.0', '7.1', '7.2', '7.3', '7.4', '7.5', '7.6', '2025-07-01', '2026-04-01']);
/** Older SDKs pinned previews such as `7.4-preview.1`; the service still serves them. */
const PREVIEW_VERSION = /^7\.[0-6]-preview(\.\d+)?$/;
const SERVICE_VERSION = '1.9.2795.1';
const debug = debuglog('kvtrace-fake-vault');
const MAX_RECORDED = 10_000;

/** The stored objects of one vault name. */
export interface VaultStore {
  readonly secrets: Map<string, SecretEntry>;
  readonly deletedSecrets: Map<string, DeletedEntry<SecretEntry>>;
  readonly keys: Map<string, KeyEntry>;
  readonly deletedKeys: Map<string, DeletedEntry<KeyEntry>>;
  meter?: ThrottleMeter;
}

export interface VaultConfig {
  readonly tenantId: string;
  readonly region: string;
  readonly recoverableDays: number;
  readonly issuer: TokenIssuer;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
}

const COLLECTIONS: Record<string, Collection> = { secrets: 'secrets', deletedsecrets: 'secrets', keys: 'keys', deletedkeys: 'keys' };
const recovering = (d: DeletedEntry<unknown> | undefined): boolean => (d?.recoveringUntil ?? 0) > Date.now();

/**
 * The vault's request pipeline, in the order the real service reports
 * failures: authentication (401 + challenge), firewall, request validation
 * (400), authorization (403), throttling (429), then the operation.
 */
export class VaultService {
  readonly policies = new AccessPolicies();
  readonly roles = new RoleAssignments();
  readonly faults = new FaultTable();
  readonly stores = new Map<string, VaultStore>();
  readonly requests: RecordedRequest[] = [];
  authorization: 'access-policy' | 'rbac' = 'access-policy';
  firewall: FirewallRules | null = null;
  clientAddress: string | null = null;
  throttle: (ThrottleSwitch & { left: number }) | null = null;
  throttling: ThrottlingOptions | null = null;
  recoveryDelayMs = 0;
  gzip = false;

  constructor(readonly config: VaultConfig) {}

  store(name: string): VaultStore {
    let s = this.stores.get(name);
    if (!s) {
      s = { secrets: new Map(), deletedSecrets: new Map(), keys: new Map(), deletedKeys: new Map() };
      this.stores.set(name, s);
    }
    return s;
  }

  /** Resets every vault's throttle windows (after changing the throttling options). */
  resetMeters(): void {
    for (const s of this.stores.values()) delete s.meter;
  }

  async handle(req: IncomingMessage, res: ServerResponse, body: Buffer, vaultName: string, origin: string, cloud: VaultCloud): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    const method = req.method ?? 'GET';
    const headers: Record<string, string> = {
      'cache-control': 'no-cache',
      pragma: 'no-cache',
      expires: '-1',
      'x-ms-keyvault-region': this.config.region,
      'x-ms-request-id': randomUUID(),
      'x-ms-keyvault-service-version': SERVICE_VERSION,
      'x-ms-keyvault-network-info': `conn_type=Ipv4;addr=${this.apparentAddress(req)};act_addr_fam=InterNetwork;`,
      'x-content-type-options': 'nosniff',
      'strict-transport-security': 'max-age=31536000;includeSubDomains',
    };
    const clientRequestId = req.headers['x-ms-client-request-id'];
    if (typeof clientRequestId === 'string') headers['x-ms-client-request-id'] = clientRequestId;
    let reply: VaultReply;
    let authorized = false;
    let fault: Fault | undefined;
    try {
      const auth = await authenticate(req.headers.authorization, this.config.issuer, this.config.tenantId, cloud);
      if (!auth.ok) {
        throw new VaultError(401, 'Unauthorized', auth.message, undefined, { 'www-authenticate': challengeHeader(this.config.tenantId, cloud) });
      }
      authorized = true;
      const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      const root = segments[0] ?? '';
      const operation = root.startsWith('deletedkeys') || root === 'keys' ? keyOperation(method, segments) : secretOperation(method, segments);
      fault = this.faults.take(method, url.pathname, operation);
      if (fault?.latencyMs) await this.delay(fault.latencyMs);
      if (fault?.reset) {
        req.socket.destroy();
        this.record(method, url.pathname, 0, true, req);
        return;
      }
      if (fault?.claimsChallenge) {
        throw new VaultError(401, 'Unauthorized', 'Continuous access evaluation resulted in claims challenge.', undefined, { 'www-authenticate': claimsChallengeHeader() });
      }
      if (fault?.status) {
        const status = fault.status;
        Object.assign(headers, fault.headers);
        reply = { status, body: fault.body ?? errorBody(status >= 500 ? 'InternalServerError' : 'BadRequest', `Injected fault: HTTP ${status}.`) };
      } else {
        reply = await this.route(method, url, segments, operation, body, auth.caller, vaultName, this.apparentAddress(req), cloud);
      }
    } catch (err) {
      if (!(err instanceof VaultError)) throw err;
      Object.assign(headers, err.headers);
      reply = { status: err.status, body: err.body };
    }
    if (fault?.headers && !fault.status) Object.assign(headers, fault.headers);
    this.record(method, url.pathname, reply.status, authorized, req);
    const acceptsGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    writeReply(res, reply, headers, { gzip: acceptsGzip && (this.gzip || fault?.gzip === true), truncate: fault?.truncate === true });
  }

  private readonly timers = new Set<NodeJS.Timeout>();

  /** A delay that close() can cancel, so an injected latency never outlives the server. */
  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  /** Cancels pending delays; their requests' sockets are being destroyed anyway. */
  shutdown(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private record(method: string, path: string, status: number, authorized: boolean, req: IncomingMessage): void {
    // NODE_DEBUG=kvtrace-fake-vault prints each vault request (never a token or body).
    debug('%s %s -> %s', method, path, status === 0 ? 'reset' : status);
    // Bounded so a benchmark's millions of requests do not grow memory.
    if (this.requests.length >= MAX_RECORDED) this.requests.splice(0, this.requests.length - MAX_RECORDED + 1);
    this.requests.push({ method, path, status, authorized, userAgent: String(req.headers['user-agent'] ?? '') });
  }

  private apparentAddress(req: IncomingMessage): string {
    return this.clientAddress ?? (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  }

  private async route(method: string, url: URL, segments: string[], operation: string, rawBody: Buffer, caller: Caller, vaultName: string, address: string, cloud: VaultCloud): Promise<VaultReply> {
    const { region } = this.config;
    checkFirewall(this.firewall, address, caller, vaultName, region);
    const apiVersion = url.searchParams.get('api-version');
    if (!apiVersion) throw badParameter('The api-version query parameter (?api-version=) is required for all requests.');
    if (!API_VERSIONS.has(apiVersion) && !PREVIEW_VERSION.test(apiVersion)) {
      throw badParameter(`The specified version (${apiVersion}) is not recognized. Consider using the latest supported version (2025-07-01).`);
    }
    const collection = COLLECTIONS[segments[0] ?? ''];
    if (!collection) throw badParameter(`The request URI is not supported: ${url.pathname}`);
    if (segments[1] !== undefined) checkName(segments[1]);
    let body: unknown;
    try {
      body = rawBody.length ? JSON.parse(rawBody.toString('utf8')) : undefined;
    } catch {
      throw badParameter('The request body is not valid JSON.');
    }
    this.authorize(caller, collection, operation, segments, vaultName);
    const store = this.store(vaultName);
    settleRecoveries(store.deletedSecrets, store.secrets);
    settleRecoveries(store.deletedKeys, store.keys);
    this.checkThrottleSwitch();
    this.checkLimits(store, collection, operation, segments, cloud);
    const base = url.origin;
    const common = { base, apiVersion, recoverableDays: this.config.recoverableDays, recoveryDelayMs: this.recoveryDelayMs };
    if (collection === 'keys') {
      return handleKeys({ ...common, keys: store.keys, deletedKeys: store.deletedKeys }, method, segments, url.searchParams, body, recovering);
    }
    return handleSecrets({ ...common, secrets: store.secrets, deletedSecrets: store.deletedSecrets }, method, segments, url.searchParams, body, recovering);
  }

  private authorize(caller: Caller, collection: Collection, operation: string, segments: string[], vaultName: string): void {
    const { region, subscriptionId, resourceGroup } = this.config;
    if (this.authorization === 'access-policy') {
      this.policies.check(caller, collection, permissionOf(collection, operation), vaultName, region);
      return;
    }
    const objectCollection = collection === 'keys' ? 'keys' : 'secrets';
    const objectPath = segments[1] ? `/${objectCollection}/${segments[1]}` : '/';
    const resourceId = `/subscriptions/${subscriptionId}/resourcegroups/${resourceGroup}/providers/microsoft.keyvault/vaults/${vaultName}`.toLowerCase();
    this.roles.check(caller, actionOf(objectCollection, operation), objectPath, resourceId, vaultName, region);
  }

  private checkLimits(store: VaultStore, collection: Collection, operation: string, segments: string[], cloud: VaultCloud): void {
    if (!this.throttling) return;
    // Managed HSM does not throttle cryptographic operations (DESIGN.md "Service limits").
    if (cloud.kind === 'managed_hsm' && ['sign', 'verify', 'encrypt', 'decrypt', 'wrapKey', 'unwrapKey'].includes(operation)) return;
    store.meter ??= new ThrottleMeter(this.throttling);
    const key = targetKey(store, segments);
    const cls = limitClass(collection, operation, key && { kty: key.kty, size: key.material.size, isEc: key.material.kty === 'EC' });
    const decision = store.meter.admit(cls);
    if (decision.ok) return;
    const headers: Record<string, string> = this.throttling.retryAfter === false ? {} : { 'retry-after': String(decision.retryAfterS) };
    throw new VaultError(429, 'Throttled', throttled(decision.reason), undefined, headers);
  }

  private checkThrottleSwitch(): void {
    const t = this.throttle;
    if (!t) return;
    if (t.left <= 0) {
      this.throttle = null;
      return;
    }
    t.left -= 1;
    const headers: Record<string, string> = {};
    if (typeof t.retryAfterS === 'number') headers['retry-after'] = String(t.retryAfterS);
    throw new VaultError(429, 'Throttled', throttled(t.reason ?? 'VaultRequestTypeLimitReached'), undefined, headers);
  }
}

/** Access-policy permission an operation needs. */
function permissionOf(collection: Collection, operation: string): string {
  if (collection === 'secrets' && operation === 'update') return 'set';
  switch (operation) {
    case 'getDeleted':
      return 'get';
    case 'listDeleted':
      return 'list';
    default:
      return operation;
  }
}

/** A 4xx/5xx body for requests the router cannot place at all. */
export function plainError(status: number, code: string, message: string): string {
  return JSON.stringify(errorBody(code, message));
}
