// The calls each variant times: plain fetch and the real SecretClient against
// fake-vault, and a non-vault request (fake-vault's token issuer, by address).
import http from 'node:http';
import { createDefaultHttpClient } from '@azure/core-rest-pipeline';
import { SecretClient } from '@azure/keyvault-secrets';

/** @param {Awaited<ReturnType<import('./vault-server.mjs').startVaultProcess>>} vault */
export function clientsFor(vault) {
  const authorization = `Bearer ${vault.token}`;
  const vaultSecretUrl = `${vault.vaultUrl}/secrets/${vault.secretName}?api-version=${vault.apiVersion}`;
  const nonVaultUrl = `${vault.url}/${vault.tenantId}/v2.0/.well-known/openid-configuration`;
  const agent = new http.Agent({ keepAlive: true });

  const retries = { count: 0 };
  /**
   * The vault's server closes a keep-alive socket after 5 s idle; a request
   * that races that close fails at once and is sent again (counted, reported).
   */
  async function once(fn) {
    try {
      return await fn();
    } catch (err) {
      if (!isStaleSocket(err)) throw err;
      retries.count++;
      return fn();
    }
  }

  const fetchVault = (auth = authorization) =>
    once(async () => {
      const res = await fetch(vaultSecretUrl, { headers: { authorization: auth } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`bench: vault fetch answered ${res.status}`);
    });

  const fetchNonVault = () =>
    once(async () => {
      const res = await fetch(nonVaultUrl);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`bench: non-vault fetch answered ${res.status}`);
    });

  const httpNonVault = () => once(httpGetNonVault);

  function httpGetNonVault() {
    return new Promise((resolve, reject) => {
      http
        .get(nonVaultUrl, { agent }, (res) => {
          res.on('data', () => {});
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`bench: non-vault http answered ${res.statusCode}`))));
          res.on('error', reject);
        })
        .on('error', reject);
    });
  }

  const secretClient = new SecretClient(secureName(vault.vaultUrl), staticCredential(vault.token), {
    httpClient: plainHttpClient(),
    // A request racing the server's keep-alive close is retried by the SDK; without its back-off delay.
    retryOptions: { retryDelayInMs: 1, maxRetryDelayInMs: 10 },
  });

  async function getSecret() {
    const secret = await secretClient.getSecret(vault.secretName);
    if (secret.name !== vault.secretName) throw new Error('bench: getSecret returned another secret');
  }

  return { fetchVault, fetchNonVault, httpNonVault, getSecret, retries, close: () => agent.destroy() };
}

function isStaleSocket(err) {
  const code = err?.cause?.code ?? err?.code;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE';
}

/** The SDK only talks https to a vault; the client below carries its requests over plain HTTP. */
function secureName(vaultUrl) {
  return vaultUrl.replace(/^http:/, 'https:');
}

/**
 * The SDK's own node:http client, given each request as http:// at the last
 * step: every policy (challenge auth, retry, deserialisation) runs as usual,
 * and the bytes on loopback are plain HTTP like the fetch variants'.
 */
function plainHttpClient() {
  const inner = createDefaultHttpClient();
  return {
    async sendRequest(request) {
      const original = request.url;
      request.url = original.replace(/^https:/, 'http:');
      request.allowInsecureConnection = true;
      try {
        return await inner.sendRequest(request);
      } finally {
        request.url = original;
      }
    },
  };
}

/** A token minted by fake-vault's issuer; the SDK caches it, so no credential work is timed. */
function staticCredential(token) {
  return {
    async getToken() {
      return { token, expiresOnTimestamp: Date.now() + 50 * 60 * 1000, tokenType: 'Bearer' };
    },
  };
}
