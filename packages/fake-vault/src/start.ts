import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Agent as UndiciAgent } from 'undici';
import { ALL_PERMISSIONS } from './access.js';
import { certificates } from './certs.js';
import { CLOUDS, parseVaultHost } from './clouds.js';
import { handleEntra } from './entra.js';
import type { EntraContext } from './entra.js';
import { TokenIssuer } from './issuer.js';
import type { RegisteredClient } from './issuer.js';
import type { FakeVault, StartOptions, TokenCredentialLike } from './types.js';
import { VaultService, plainError } from './vault.js';
import { createAgent, createDispatcher } from './wiring.js';
import { validateOptions } from './validate.js';

const VAULT_ROOTS = new Set(['secrets', 'deletedsecrets', 'keys', 'deletedkeys', 'certificates', 'deletedcertificates', 'rng']);
/** Request bodies above this are refused: keeps a runaway client from filling memory. */
const MAX_BODY = 4 * 1024 * 1024;

/**
 * Starts a fake Key Vault and its token issuer on one port of 127.0.0.1.
 *
 * @example
 * const vault = await start();
 * const client = new SecretClient(vault.vaultUrl, await vault.credential(), vault.clientOptions());
 * await client.setSecret('db-password', 'hunter2');
 * await vault.close();
 */
export async function start(options: StartOptions = {}): Promise<FakeVault> {
  validateOptions(options);
  const vaultName = (options.vaultName ?? 'fakevault').toLowerCase();
  const tenantId = options.tenantId ?? randomUUID();
  const region = options.region ?? 'eastus';
  const plain = options.http === true;
  const certs = plain ? null : await certificates();
  const issuer = await TokenIssuer.create(tenantId);
  const defaultClient = issuer.register(tenantId, {
    ...(options.clientId ? { clientId: options.clientId } : {}),
    ...(options.clientSecret ? { clientSecret: options.clientSecret } : {}),
    ...(options.objectId ? { objectId: options.objectId } : {}),
  });
  const service = new VaultService({
    tenantId,
    region,
    recoverableDays: options.recoverableDays ?? 90,
    issuer,
    subscriptionId: options.subscriptionId ?? randomUUID(),
    resourceGroup: options.resourceGroup ?? 'fake-vault-rg',
  });
  service.firewall = options.firewall ?? null;
  service.clientAddress = options.clientAddress ?? null;
  service.authorization = options.authorization ?? 'access-policy';
  service.throttling = options.throttling ?? null;
  service.recoveryDelayMs = options.recoveryDelayMs ?? 0;
  service.gzip = options.gzip === true;
  const rbacDelay = options.rbacPropagationMs ?? 0;
  if (options.grantDefaultClient !== false) {
    // Both models are provisioned so that switching the mode at runtime keeps the default client working.
    service.policies.grant(defaultClient.objectId, ALL_PERMISSIONS);
    service.roles.assign(defaultClient.objectId, 'Key Vault Administrator', '/', 0);
  }

  const scheme = plain ? 'http' : 'https';
  const entra: EntraContext = { issuer, authorityHost: '' };
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    readBody(req)
      .then((body) => dispatch(req, res, body))
      .catch((err: unknown) => {
        if (res.headersSent) return void res.destroy();
        const text = plainError(500, 'InternalServerError', err instanceof Error ? err.message : 'Internal error');
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
      });
  };
  const dispatch = async (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> => {
    const host = String(req.headers.host ?? '').replace(/:\d+$/, '');
    const named = parseVaultHost(host);
    const firstSegment = (req.url ?? '/').split(/[/?]/)[1] ?? '';
    if (named) return service.handle(req, res, body, named.name, `${scheme}://${req.headers.host}`, named.cloud);
    if (VAULT_ROOTS.has(firstSegment)) return service.handle(req, res, body, vaultName, `${scheme}://${req.headers.host}`, CLOUDS[0]!);
    return handleEntra(entra, req, res, body);
  };
  const server: Server = certs
    ? createHttpsServer({ key: certs.serverKey, cert: certs.serverCert, keepAlive: true }, onRequest)
    : createHttpServer({ keepAlive: true }, onRequest);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const authorityHost = `${scheme}://127.0.0.1:${port}`;
  entra.authorityHost = authorityHost;
  const ca = certs?.caCert ?? '';
  const caDir = ca ? mkdtempSync(join(tmpdir(), 'kvtrace-fake-vault-')) : '';
  const caPath = ca ? join(caDir, 'ca.pem') : '';
  if (ca) writeFileSync(caPath, ca);
  const agent = createAgent(ca);
  let dispatcher: UndiciAgent | undefined;
  const vaultUrl = `${scheme}://${vaultName}.vault.azure.net:${port}`;
  const principal = (p: string | RegisteredClient): string => (typeof p === 'string' ? p : p.objectId);
  let closed: Promise<void> | undefined;

  const vault: FakeVault = {
    vaultUrl,
    vaultName,
    url: authorityHost,
    port,
    ca,
    caPath,
    tenantId,
    clientId: defaultClient.clientId,
    clientSecret: defaultClient.clientSecret,
    objectId: defaultClient.objectId,
    authorityHost,
    region,
    agent,
    requests: service.requests,
    urlFor: (suffix = 'vault.azure.net', name = vaultName) => {
      if (!CLOUDS.some((c) => c.suffix === suffix)) throw new TypeError(`fake-vault: unknown vault host suffix '${suffix}'; known: ${CLOUDS.map((c) => c.suffix).join(', ')}`);
      return `${scheme}://${name}.${suffix}:${port}`;
    },
    clientOptions: () => ({ agent }),
    credentialOptions: () => ({ authorityHost, disableInstanceDiscovery: true, agent }),
    async credential(client = defaultClient): Promise<TokenCredentialLike> {
      // Loaded on demand: @azure/identity is an optional peer, fetch-only users do not need it.
      const identity = await import('@azure/identity');
      return new identity.ClientSecretCredential(client.tenantId, client.clientId, client.clientSecret, vault.credentialOptions());
    },
    dispatcher() {
      dispatcher ??= createDispatcher(ca);
      return dispatcher;
    },
    env: () => ({
      ...(caPath ? { NODE_EXTRA_CA_CERTS: caPath } : {}),
      KVTRACE_FAKE_VAULT_RESOLVE: '1',
      KVTRACE_FAKE_VAULT_URL: vaultUrl,
      AZURE_TENANT_ID: tenantId,
      AZURE_CLIENT_ID: defaultClient.clientId,
      AZURE_CLIENT_SECRET: defaultClient.clientSecret,
      AZURE_AUTHORITY_HOST: authorityHost,
    }),
    mintToken: (claims = {}, client = defaultClient) => issuer.mint(client, claims),
    registerClient: (client = {}) => issuer.register(client.tenantId ?? tenantId, client),
    grant: (p, permissions) => service.policies.grant(principal(p), permissions),
    revoke: (p, permissions) => service.policies.revoke(principal(p), permissions),
    setFirewall: (rules) => {
      service.firewall = rules;
    },
    setClientAddress: (address) => {
      service.clientAddress = address;
    },
    setAuthorization: (mode) => {
      if (mode !== 'access-policy' && mode !== 'rbac') throw new TypeError("fake-vault: mode must be 'access-policy' or 'rbac'");
      service.authorization = mode;
    },
    assignRole: (p, role, o = {}) => service.roles.assign(principal(p), role, o.scope ?? '/', o.delayMs ?? rbacDelay),
    unassignRole: (p, role) => service.roles.unassign(principal(p), role),
    setThrottling: (throttling) => {
      service.throttling = throttling;
      service.resetMeters();
    },
    utilization: (name = vaultName) => service.stores.get(name)?.meter?.utilization() ?? 0,
    inject: (fault) => service.faults.add(fault),
    clearFaults: () => service.faults.clear(),
    setRecoveryDelay: (ms) => {
      service.recoveryDelayMs = ms;
    },
    setGzip: (on) => {
      service.gzip = on;
    },
    setThrottle: (throttle) => {
      service.throttle = throttle ? { ...throttle, left: throttle.count ?? Number.POSITIVE_INFINITY } : null;
    },
    close() {
      closed ??= (async () => {
        service.shutdown();
        agent.destroy();
        await dispatcher?.destroy();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        if (caDir) rmSync(caDir, { recursive: true, force: true });
      })();
      return closed;
    },
  };
  return vault;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error('Request body too large.'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
