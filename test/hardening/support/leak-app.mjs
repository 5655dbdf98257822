// A service for the bulk leak scan, run as a real child process under
// `--import @kvtrace/register`. It hosts the example Express and Fastify
// services (expose: true, the most revealing setting; Fastify with its pino
// logger on) and a control route the test drives in batches:
//
// POST /batch [{ name, value, token, middleware }] -> for each item (four at
//   a time): SecretClient.setSecret(name, value) with the app's
//   ClientSecretCredential (the secret value travels in a request body),
//   SecretClient.getSecret (with a credential handing out `token` when
//   `middleware`, else the app's), fetch GET with `Authorization: Bearer
//   token`, and, when `middleware`, both example services' fetch and SDK
//   routes with `token` as their credential.
// Failures are logged to stderr the way apps log them (message, code, and
// kvtrace's own KeyVaultError in full); the answer carries counts and the
// middleware answers (status, headers, body), never a secret value.
import { createServer } from 'node:http';
import { inspect } from 'node:util';
import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { KeyVaultError } from '@kvtrace/core';
import { createApp as createExpressApp } from '@kvtrace/example-express-app';
import { createApp as createFastifyApp } from '@kvtrace/example-fastify-app';

const vaultUrl = process.env.KVTRACE_FAKE_VAULT_URL;
const appCredential = new ClientSecretCredential(process.env.AZURE_TENANT_ID, process.env.AZURE_CLIENT_ID, process.env.AZURE_CLIENT_SECRET, {
  authorityHost: process.env.AZURE_AUTHORITY_HOST,
  disableInstanceDiscovery: true,
});
const writer = new SecretClient(vaultUrl, appCredential);
const staticCredential = (token) => ({ getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) });

// The example services read their token from here: the test rotates it per item.
let currentToken = '';
const rotating = { getToken: async () => ({ token: currentToken, expiresOnTimestamp: Date.now() + 3_600_000 }) };
const errorOptions = { expose: true, backoffS: 5 };

function logFailure(where, error) {
  if (error instanceof KeyVaultError) {
    console.error(`${where}: ${inspect(error, { depth: 6 })} ${JSON.stringify(error)} ${error.stack}`);
  } else {
    console.error(`${where}: ${error?.name} ${error?.statusCode ?? ''} ${error?.code ?? ''} ${error?.message ?? error}`);
  }
}

async function listen(server) {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${server.address().port}`;
}

const expressServer = createServer(createExpressApp({ secretClient: new SecretClient(vaultUrl, rotating), credential: rotating, vaultUrl, errorOptions }));
const expressUrl = await listen(expressServer);
// A new SecretClient per item keeps the SDK from caching the previous item's token.
const fastify = await createFastifyApp({
  secretClient: { getSecret: (name) => new SecretClient(vaultUrl, staticCredential(currentToken)).getSecret(name) },
  credential: rotating,
  vaultUrl,
  errorOptions,
  fastifyOptions: { logger: { level: 'info' } },
});
const fastifyUrl = await fastify.listen({ host: '127.0.0.1', port: 0 });

async function ask(base, path) {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
}

/** The vault calls of one item; several items run at once. */
async function runCalls(item, out) {
  try {
    await writer.setSecret(item.name, item.value);
    out.set += 1;
  } catch (error) {
    logFailure('setSecret', error);
  }
  try {
    // Rotating tokens through the SDK for the items that also go through the middleware (a new client each:
    // the SDK caches a credential's token); the others read with the app's own credential.
    const reader = item.middleware ? new SecretClient(vaultUrl, staticCredential(item.token)) : writer;
    const got = await reader.getSecret(item.name);
    if (got.value === item.value) out.sdkOk += 1;
    else out.mismatches += 1;
  } catch (error) {
    out.sdkFailed += 1;
    logFailure('getSecret', error);
  }
  const url = `${vaultUrl}/secrets/${item.name}?api-version=7.5`;
  const authorization = `Bearer ${item.token}`;
  const res = await fetch(url, { headers: { authorization } });
  if (res.ok) {
    if ((await res.json()).value === item.value) out.fetchOk += 1;
    else out.mismatches += 1;
  } else {
    out.fetchFailed += 1;
    logFailure('fetch', await KeyVaultError.fromResponse(res, { url, method: 'GET', authorization }));
  }
}

/** The example services read the rotating token: one item at a time. */
async function runMiddleware(item, out) {
  if (item.middleware) {
    currentToken = item.token;
    for (const base of [expressUrl, fastifyUrl]) {
      for (const path of [`/fetch/config/${item.name}`, `/config/${item.name}`]) out.answers.push(await ask(base, path));
    }
  }
}

const control = createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/shutdown') {
    res.end('{}');
    control.close();
    control.closeIdleConnections();
    expressServer.close();
    expressServer.closeAllConnections();
    void fastify.close();
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const out = { set: 0, sdkOk: 0, sdkFailed: 0, fetchOk: 0, fetchFailed: 0, mismatches: 0, answers: [] };
    try {
      const items = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      for (let i = 0; i < items.length; i += 4) {
        const group = items.slice(i, i + 4);
        await Promise.all(group.map((item) => runCalls(item, out)));
        for (const item of group) await runMiddleware(item, out);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
    } catch (error) {
      res.writeHead(500).end(JSON.stringify({ crashed: String(error?.stack ?? error) }));
    }
  });
});
control.keepAliveTimeout = 500;
const port = new URL(await listen(control)).port;
process.stdout.write(`${JSON.stringify({ port: Number(port) })}\n`);
