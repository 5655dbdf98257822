// A CommonJS service (`node --require @kvtrace/register`) that brings its own
// OpenTelemetry and undici habits, for the coexistence tests:
//   COEXIST_AZURE_SDK=1     enables @azure/opentelemetry-instrumentation-azure-sdk
//                           before the Azure SDK is loaded (its documented use);
//   COEXIST_DISPATCHER=undici7  calls undici's setGlobalDispatcher(new Agent()) at start;
//   COEXIST_DISPATCHER=legacy   installs a dispatcher the way undici 6 / fetch
//                           polyfills do (only the v1 global slot);
//   APP_SIGTERM=1           its own graceful SIGTERM handler.
// Routes as in fault-app.mjs: GET /sdk/<name>, GET /fetch/<name>, POST /shutdown.
'use strict';
const { createServer } = require('node:http');
// No imports and no top-level await there: require(esm) loads it (Node >= 20.19).
const { serveOnLoopback } = require('../../fixtures/serve-on-loopback.mjs');

if (process.env.COEXIST_AZURE_SDK === '1') {
  const { createAzureSdkInstrumentation } = require('@azure/opentelemetry-instrumentation-azure-sdk');
  createAzureSdkInstrumentation().enable();
}
if (process.env.COEXIST_DISPATCHER === 'undici7') {
  const { Agent, setGlobalDispatcher } = require('undici');
  setGlobalDispatcher(new Agent({ keepAliveTimeout: 1000 }));
} else if (process.env.COEXIST_DISPATCHER === 'legacy') {
  // What undici 6's setGlobalDispatcher does: only the v1 slot, which Node 20's fetch reads.
  const { Agent } = require('undici');
  const agent = new Agent();
  globalThis[Symbol.for('undici.globalDispatcher.1')] = agent;
}

const { ClientSecretCredential } = require('@azure/identity');
const { SecretClient } = require('@azure/keyvault-secrets');

const vaultUrl = process.env.KVTRACE_FAKE_VAULT_URL;
const credential = new ClientSecretCredential(process.env.AZURE_TENANT_ID, process.env.AZURE_CLIENT_ID, process.env.AZURE_CLIENT_SECRET, {
  authorityHost: process.env.AZURE_AUTHORITY_HOST,
  disableInstanceDiscovery: true,
});
const client = new SecretClient(vaultUrl, credential);

async function viaSdk(name) {
  try {
    const secret = await client.getSecret(name);
    return { ok: true, length: secret.value ? secret.value.length : 0 };
  } catch (error) {
    return { ok: false, name: error.name, statusCode: error.statusCode };
  }
}

async function viaFetch(name) {
  try {
    const { token } = await credential.getToken('https://vault.azure.net/.default');
    const res = await fetch(`${vaultUrl}/secrets/${name}?api-version=7.5`, { headers: { authorization: `Bearer ${token}` } });
    const body = await res.json();
    return res.ok ? { ok: true, length: body.value.length } : { ok: false, statusCode: res.status, code: body.error && body.error.code };
  } catch (error) {
    return { ok: false, name: error.name, code: error.cause && error.cause.code };
  }
}

const server = createServer((req, res) => {
  const send = (payload) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
  if (req.method === 'POST' && req.url === '/shutdown') {
    send({ bye: true });
    server.close();
    server.closeIdleConnections();
    return;
  }
  const [, via, name] = (req.url || '').split('/');
  void (via === 'sdk' ? viaSdk(name) : viaFetch(name)).then(send);
});

serveOnLoopback(server, { gracefulSigterm: process.env.APP_SIGTERM === '1' });
