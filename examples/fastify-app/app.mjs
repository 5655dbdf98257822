// A small Fastify service that reads secret *metadata* from Key Vault, two
// ways: through the Azure SDK (GET /config/:name) and through plain fetch +
// KeyVaultError (GET /fetch/config/:name). A failed vault call becomes a
// retry-aware problem+json answer via @kvtrace/fastify; the secret value
// never leaves the process.
import Fastify from 'fastify';
import { KeyVaultError } from '@kvtrace/core';
import { kvtrace } from '@kvtrace/fastify';

const API_VERSION = '2025-07-01';
const VAULT_SCOPE = 'https://vault.azure.net/.default';

/** What a client may learn about a secret: never its value. */
export function secretMetadata(properties) {
  return {
    name: properties.name,
    version: properties.version,
    enabled: properties.enabled,
    contentType: properties.contentType,
    createdOn: properties.createdOn,
    updatedOn: properties.updatedOn,
    expiresOn: properties.expiresOn,
    tags: properties.tags ?? {},
  };
}

/** The same from a raw SecretBundle (fetch path): attributes are epoch seconds there. */
export function bundleMetadata(bundle) {
  const at = (s) => (typeof s === 'number' ? new Date(s * 1000) : undefined);
  const [, , name, version] = new URL(bundle.id).pathname.split('/');
  return secretMetadata({
    name,
    version,
    enabled: bundle.attributes?.enabled,
    contentType: bundle.contentType,
    createdOn: at(bundle.attributes?.created),
    updatedOn: at(bundle.attributes?.updated),
    expiresOn: at(bundle.attributes?.exp),
    tags: bundle.tags,
  });
}

/**
 * @param {object} deps
 * @param {import('@azure/keyvault-secrets').SecretClient} deps.secretClient
 * @param {import('@azure/core-auth').TokenCredential} deps.credential used by the fetch route
 * @param {string} deps.vaultUrl
 * @param {typeof fetch} [deps.fetch] e.g. bound to a dispatcher in tests
 * @param {import('@kvtrace/fastify').KvtraceFastifyOptions} [deps.errorOptions]
 * @param {import('fastify').FastifyServerOptions} [deps.fastifyOptions]
 */
export async function createApp({ secretClient, credential, vaultUrl, fetch = globalThis.fetch, errorOptions = {}, fastifyOptions = {} }) {
  const app = Fastify(fastifyOptions);
  await app.register(kvtrace, errorOptions);

  app.get('/healthz', async () => ({ ok: true }));

  app.get('/config/:name', async (request) => {
    const secret = await secretClient.getSecret(request.params.name);
    return secretMetadata(secret.properties);
  });

  app.get('/fetch/config/:name', async (request) => {
    const url = `${vaultUrl.replace(/\/$/, '')}/secrets/${encodeURIComponent(request.params.name)}?api-version=${API_VERSION}`;
    const accessToken = await credential.getToken(VAULT_SCOPE);
    const authorization = `Bearer ${accessToken?.token ?? ''}`;
    const response = await fetch(url, { headers: { authorization } });
    if (!response.ok) throw await KeyVaultError.fromResponse(response, { url, method: 'GET', authorization });
    return bundleMetadata(await response.json());
  });

  return app;
}
