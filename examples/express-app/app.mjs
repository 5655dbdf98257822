// A small Express service that reads secret *metadata* from Key Vault, two
// ways: through the Azure SDK (GET /config/:name) and through plain fetch +
// KeyVaultError (GET /fetch/config/:name). A failed vault call becomes a
// retry-aware problem+json answer via @kvtrace/express; the secret value
// never leaves the process.
import express from 'express';
import { KeyVaultError } from '@kvtrace/core';
import { bundleMetadata, secretMetadata } from '@kvtrace/example-vault-kit/metadata';
import { kvtraceErrorHandler } from '@kvtrace/express';

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
 * @param {import('@kvtrace/express').KvtraceExpressOptions} [deps.errorOptions]
 */
export function createApp({ secretClient, credential, vaultUrl, fetch = globalThis.fetch, errorOptions = {} }) {
  const app = express();
  app.disable('x-powered-by');

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });

  // Express 5 forwards a rejected promise to the error middleware below.
  app.get('/config/:name', async (req, res) => {
    const secret = await secretClient.getSecret(req.params.name);
    res.json(secretMetadata(secret.properties));
  });

  app.get('/fetch/config/:name', async (req, res) => {
    const url = `${vaultUrl.replace(/\/$/, '')}/secrets/${encodeURIComponent(req.params.name)}?api-version=${API_VERSION}`;
    const accessToken = await credential.getToken(VAULT_SCOPE);
    const authorization = `Bearer ${accessToken?.token ?? ''}`;
    const response = await fetch(url, { headers: { authorization } });
    if (!response.ok) throw await KeyVaultError.fromResponse(response, { url, method: 'GET', authorization });
    res.json(bundleMetadata(await response.json()));
  });

  app.use(kvtraceErrorHandler(errorOptions));
  return app;
}
