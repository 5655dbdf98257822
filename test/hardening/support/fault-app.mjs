// A service for the fault tests, run as a real child process (usually under
// `--import @kvtrace/register`). GET /sdk/<name>?timeout=<ms> reads a secret
// through SecretClient (ClientSecretCredential), GET /fetch/<name>?timeout=<ms>
// through fetch with a token from the same credential; both answer JSON
// saying what the app got (value length, or the error's name, code and
// status), never crashing the route. POST /shutdown closes the server so the
// process ends on its own; an unhandled rejection would end it with code 1.
// APP_SIGTERM=1 installs the app's own graceful SIGTERM handler.
import { createServer } from 'node:http';
import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { serveOnLoopback } from '../../fixtures/serve-on-loopback.mjs';

const vaultUrl = process.env.KVTRACE_FAKE_VAULT_URL;
const credential = new ClientSecretCredential(process.env.AZURE_TENANT_ID, process.env.AZURE_CLIENT_ID, process.env.AZURE_CLIENT_SECRET, {
  authorityHost: process.env.AZURE_AUTHORITY_HOST,
  disableInstanceDiscovery: true,
});
// Retries kept short: the fault tests want the SDK's retry, not its patience.
const client = new SecretClient(vaultUrl, credential, { retryOptions: { maxRetries: 2, retryDelayInMs: 50, maxRetryDelayInMs: 200 } });

const failure = (error) => ({ ok: false, name: error?.name, code: error?.code ?? error?.cause?.code, statusCode: error?.statusCode ?? error?.status });

async function viaSdk(name, timeoutMs) {
  try {
    const secret = await client.getSecret(name, timeoutMs ? { abortSignal: AbortSignal.timeout(timeoutMs) } : {});
    return { ok: true, length: secret.value?.length ?? 0 };
  } catch (error) {
    return failure(error);
  }
}

async function viaFetch(name, timeoutMs) {
  try {
    const { token } = await credential.getToken('https://vault.azure.net/.default');
    const res = await fetch(`${vaultUrl}/secrets/${name}?api-version=7.5`, {
      headers: { authorization: `Bearer ${token}` },
      ...(timeoutMs ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
    });
    const body = await res.json();
    return res.ok ? { ok: true, length: body.value?.length ?? 0 } : { ok: false, statusCode: res.status, code: body.error?.code };
  } catch (error) {
    return failure(error);
  }
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const send = (payload) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
  if (req.method === 'POST' && url.pathname === '/shutdown') {
    send({ bye: true });
    server.close();
    server.closeIdleConnections();
    return;
  }
  const [, via, name] = url.pathname.split('/');
  const timeoutMs = Number(url.searchParams.get('timeout') ?? 0);
  void (via === 'sdk' ? viaSdk(name, timeoutMs) : viaFetch(name, timeoutMs)).then(send);
});

serveOnLoopback(server, { gracefulSigterm: process.env.APP_SIGTERM === '1', graceMs: 200 });
