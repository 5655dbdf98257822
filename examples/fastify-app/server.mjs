// Start: node --import @kvtrace/register server.mjs
// (VAULT_URL, AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET,
// AZURE_AUTHORITY_HOST, HOST, PORT; a private CA via NODE_EXTRA_CA_CERTS).
import { createApp } from './app.mjs';
import { configFromEnv } from '@kvtrace/example-vault-kit/config';

const config = configFromEnv();
const app = await createApp({ ...config, fastifyOptions: { logger: true } });
const address = await app.listen({ port: config.port, host: config.host });
console.log(`fastify-app listening on ${address}`);

// Our own SIGTERM listener keeps @kvtrace/register from exiting first: it
// flushes telemetry, we finish in-flight requests; the process then ends on
// its own (and register flushes again on beforeExit).
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => void app.close());
}
