import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate, challengeHeader } from './auth.js';
import type { Caller } from './auth.js';
import { AccessPolicies, checkFirewall } from './access.js';
import type { Collection, FirewallRules } from './access.js';
import type { TokenIssuer } from './issuer.js';
import { handleSecrets, secretOperation } from './secrets.js';
import type { DeletedEntry, SecretEntry } from './secrets.js';
import { errorBody, throttled } from './texts.js';
import type { ThrottleSwitch, RecordedRequest } from './types.js';
import { VaultError, badParameter } from './vault-error.js';
import type { VaultReply } from './vault-error.js';

/** api-versions the vault accepts (the SDK pins 2025-07-01; 7.x are still served). */
export const API_VERSIONS = new Set(['7.0', '7.1', '7.2', '7.3', '7.4', '7.5', '7.6', '2025-07-01', '2026-04-01']);
const SERVICE_VERSION = '1.9.2795.1';

/** The stored objects of one vault name. */
export interface VaultStore {
  readonly secrets: Map<string, SecretEntry>;
  readonly deletedSecrets: Map<string, DeletedEntry<SecretEntry>>;
}

export interface VaultConfig {
  readonly tenantId: string;
  readonly region: string;
  readonly recoverableDays: number;
  readonly issuer: TokenIssuer;
}

/** Collections the router knows, mapped to the access-policy collection. */
const COLLECTIONS: Record<string, Collection> = { secrets: 'secrets', deletedsecrets: 'secrets' };

/**
 * The vault's request pipeline, in the order the real service reports
 * failures: authentication (401 + challenge), firewall, request validation,
 * authorization, throttling, then the operation itself.
 */
export class VaultService {
  readonly policies = new AccessPolicies();
  readonly stores = new Map<string, VaultStore>();
  readonly requests: RecordedRequest[] = [];
  firewall: FirewallRules | null = null;
  clientAddress: string | null = null;
  throttle: (ThrottleSwitch & { left: number }) | null = null;

  constructor(readonly config: VaultConfig) {}

  store(name: string): VaultStore {
    let s = this.stores.get(name);
    if (!s) {
      s = { secrets: new Map(), deletedSecrets: new Map() };
      this.stores.set(name, s);
    }
    return s;
  }

  async handle(req: IncomingMessage, res: ServerResponse, body: Buffer, vaultName: string, origin: string): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
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
    try {
      const auth = await authenticate(req.headers.authorization, this.config.issuer, this.config.tenantId);
      if (!auth.ok) {
        throw new VaultError(401, 'Unauthorized', auth.message, undefined, { 'www-authenticate': challengeHeader(this.config.tenantId) });
      }
      authorized = true;
      reply = this.route(req.method ?? 'GET', url, body, auth.caller, vaultName, this.apparentAddress(req));
    } catch (err) {
      if (!(err instanceof VaultError)) throw err;
      Object.assign(headers, err.headers);
      reply = { status: err.status, body: err.body };
    }
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, status: reply.status, authorized, userAgent: String(req.headers['user-agent'] ?? '') });
    const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
    if (text) headers['content-type'] = 'application/json; charset=utf-8';
    headers['content-length'] = String(Buffer.byteLength(text));
    res.writeHead(reply.status, headers);
    res.end(text);
  }

  private apparentAddress(req: IncomingMessage): string {
    return this.clientAddress ?? (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  }

  private route(method: string, url: URL, rawBody: Buffer, caller: Caller, vaultName: string, address: string): VaultReply {
    const { region } = this.config;
    checkFirewall(this.firewall, address, caller, vaultName, region);
    const apiVersion = url.searchParams.get('api-version');
    if (!apiVersion) throw badParameter('The api-version query parameter (?api-version=) is required for all requests.');
    if (!API_VERSIONS.has(apiVersion)) {
      throw badParameter(`The specified version (${apiVersion}) is not recognized. Consider using the latest supported version (2025-07-01).`);
    }
    const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const collection = COLLECTIONS[segments[0] ?? ''];
    if (!collection) throw badParameter(`The request URI is not supported: ${url.pathname}`);
    let body: unknown;
    try {
      body = rawBody.length ? JSON.parse(rawBody.toString('utf8')) : undefined;
    } catch {
      throw badParameter('The request body is not valid JSON.');
    }
    const operation = secretOperation(method, segments);
    this.policies.check(caller, collection, permissionOf(operation), vaultName, region);
    this.checkThrottle();
    const store = this.store(vaultName);
    const base = url.origin;
    return handleSecrets(
      { base, apiVersion, secrets: store.secrets, deletedSecrets: store.deletedSecrets, recoverableDays: this.config.recoverableDays },
      method,
      segments,
      url.searchParams,
      body,
      (d) => (d?.recoveringUntil ?? 0) > Date.now(),
    );
  }

  private checkThrottle(): void {
    const t = this.throttle;
    if (!t) return;
    if (t.left <= 0) {
      this.throttle = null;
      return;
    }
    t.left -= 1;
    const headers: Record<string, string> = {};
    if (typeof t.retryAfterS === 'number') headers['retry-after'] = String(t.retryAfterS);
    const e = new VaultError(429, 'Throttled', throttled(t.reason ?? 'VaultRequestTypeLimitReached'), undefined, headers);
    throw e;
  }
}

/** Access-policy permission an operation needs. */
function permissionOf(operation: string): string {
  switch (operation) {
    case 'getDeleted':
      return 'get';
    case 'listDeleted':
      return 'list';
    case 'update':
      return 'set';
    default:
      return operation;
  }
}

/** A 4xx/5xx body for requests the router cannot place at all. */
export function plainError(status: number, code: string, message: string): string {
  return JSON.stringify(errorBody(code, message));
}
