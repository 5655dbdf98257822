import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenIssuer } from './issuer.js';

/**
 * The slice of Entra ID that `@azure/identity`'s ClientSecretCredential uses
 * with `authorityHost` + `disableInstanceDiscovery`: OpenID configuration,
 * JWKS and the v2.0 token endpoint (client credentials grant).
 */
export interface EntraContext {
  readonly issuer: TokenIssuer;
  /** e.g. `https://127.0.0.1:4443` */
  authorityHost: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store, no-cache',
    'x-ms-request-id': randomUUID(),
    'x-ms-ests-server': '2.1.fake-vault',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** An AADSTS error body as login.microsoftonline.com returns it. */
export function aadstsBody(error: string, code: number, description: string, correlationId?: string): Record<string, unknown> {
  const traceId = randomUUID();
  const correlation = correlationId ?? randomUUID();
  const timestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    error,
    error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlation} Timestamp: ${timestamp.replace('T', ' ')}`,
    error_codes: [code],
    timestamp: timestamp.replace('T', ' '),
    trace_id: traceId,
    correlation_id: correlation,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  };
}

function tenantNotFound(tenant: string): Record<string, unknown> {
  return aadstsBody(
    'invalid_tenant',
    90002,
    `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  );
}

export async function handleEntra(ctx: EntraContext, req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
  const url = new URL(req.url ?? '/', ctx.authorityHost);
  const [, tenant = '', ...rest] = url.pathname.split('/');
  const path = rest.join('/');
  const known = ctx.issuer.tenants.has(tenant);
  if (req.method === 'GET' && (path === 'v2.0/.well-known/openid-configuration' || path === '.well-known/openid-configuration')) {
    if (!known) return send(res, 400, tenantNotFound(tenant));
    const base = `${ctx.authorityHost}/${tenant}`;
    return send(res, 200, {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${ctx.authorityHost}/${tenant}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${ctx.authorityHost}/${tenant}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${ctx.authorityHost}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'tid', 'ver', 'oid'],
      tenant_region_scope: 'EU',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
    });
  }
  if (req.method === 'GET' && path === 'discovery/v2.0/keys') return send(res, 200, ctx.issuer.jwks());
  if (req.method === 'POST' && (path === 'oauth2/v2.0/token' || path === 'oauth2/token')) {
    if (!known) return send(res, 400, tenantNotFound(tenant));
    const form = new URLSearchParams(body.toString('utf8'));
    const correlation = req.headers['client-request-id'];
    const correlationId = typeof correlation === 'string' ? correlation : undefined;
    const clientId = form.get('client_id') ?? '';
    const client = ctx.issuer.clients.get(clientId);
    if (!client || client.tenantId !== tenant) {
      return send(
        res,
        400,
        aadstsBody(
          'unauthorized_client',
          700016,
          `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
          correlationId,
        ),
      );
    }
    if (form.get('client_secret') !== client.clientSecret) {
      return send(
        res,
        401,
        aadstsBody(
          'invalid_client',
          7000215,
          `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${client.clientId}'.`,
          correlationId,
        ),
      );
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return send(res, 400, aadstsBody('unsupported_grant_type', 70003, 'The app requested an unsupported grant type.', correlationId));
    }
    // `https://vault.azure.net/.default` -> audience `https://vault.azure.net`, as Entra ID issues it.
    const scope = (form.get('scope') ?? '').split(' ').find((s) => s.endsWith('/.default')) ?? '';
    const audience = scope.slice(0, -'/.default'.length);
    if (!audience) {
      return send(res, 400, aadstsBody('invalid_scope', 1002012, `The provided value for scope ${form.get('scope') ?? ''} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`, correlationId));
    }
    const token = await ctx.issuer.mint(client, { aud: audience });
    return send(res, 200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token });
  }
  if (tenant && !GUID.test(tenant) && !known) return send(res, 400, tenantNotFound(tenant));
  send(res, 404, { error: 'not_found', error_description: `No such endpoint: ${req.method} ${url.pathname}` });
}
