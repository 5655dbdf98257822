// A small Fastify service that reads secret *metadata* from Key Vault, two
// ways: through the Azure SDK (GET /config/:name) and through plain fetch +
// KeyVaultError (GET /fetch/config/:name). A failed vault call becomes a
// retry-aware problem+json answer via @kvtrace/fastify; the secret value
// never leaves the process.
import Fastify from 'fastify';
import { KeyVaultError } from '@kvtrace/core';
import { bundleMetadata, secretMetadata } from '@kvtrace/example-vault-kit/metadata';
import { kvtrace } from '@kvtrace/fastify';

const API_VERSION = '2025-07-01';
const VAULT_SCOPE = 'https://vault.azure.net/.default';

// Re-exported: the metadata shape is part of what this app offers its users.
export { bundleMetadata, secretMetadata };

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
