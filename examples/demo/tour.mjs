// The tour itself. Runs under `--import @kvtrace/register` (see run.mjs), so
// every vault call below is instrumented exactly as in a real service: the
// console exporter prints one span tree per call, with cause and hint.
//
// Two kinds of step: a call to one of the example services (Express or
// Fastify), whose server span is the root of the printed tree, followed by
// what the service answered its own client; or a direct SDK / fetch call
// wrapped in a `demo:` span.
import { context, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { createApp as createExpressApp } from '@kvtrace/example-express-app';
import { createApp as createFastifyApp } from '@kvtrace/example-fastify-app';
import { scenarios } from './scenarios.mjs';

const vaultUrl = required('KVTRACE_FAKE_VAULT_URL');
const tenantId = required('AZURE_TENANT_ID');
const authorityHost = required('AZURE_AUTHORITY_HOST');
const tracer = trace.getTracer('kvtrace-demo');

// --- the vault's controls live in run.mjs; ask for them over IPC -----------
let nextId = 0;
const pending = new Map();
process.on('message', ({ id, result, error }) => {
  const waiter = pending.get(id);
  pending.delete(id);
  if (error) waiter?.reject(new Error(error));
  else waiter?.resolve(result);
});
const vault = new Proxy({}, {
  get: (_, op) => (...args) => new Promise((resolve, reject) => {
    const id = ++nextId;
    pending.set(id, { resolve, reject });
    process.send({ id, op, args });
  }),
});

// --- helpers the scenarios use ----------------------------------------------
function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`tour: ${name} is not set (start it through run.mjs)`);
  return value;
}

/** Runs `fn` with tracing suppressed: set-up calls and the tour's own client requests print no trees. */
const quietly = (fn) => context.with(suppressTracing(context.active()), fn);

/** A credential for an app registration fake-vault knows (ClientSecretCredential, as in production). */
function credentialFor(client = { tenantId, clientId: required('AZURE_CLIENT_ID'), clientSecret: required('AZURE_CLIENT_SECRET') }) {
  return new ClientSecretCredential(client.tenantId, client.clientId, client.clientSecret, {
    authorityHost,
    disableInstanceDiscovery: true,
  });
}

/** A credential handing out one fixed token: how the tour sends expired, foreign or opaque tokens through the real SDK. */
function staticCredential(token) {
  return { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) };
}

/** Starts an example service on loopback with its own SecretClient. */
async function service(credential, { framework = 'express', errorOptions = { backoffS: 5 } } = {}) {
  const deps = { secretClient: new SecretClient(vaultUrl, credential), credential, vaultUrl, errorOptions };
  if (framework === 'fastify') {
    const app = await createFastifyApp(deps);
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    return { url: address, close: () => app.close() };
  }
  const app = createExpressApp(deps);
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

/** Lets the console exporter print the tree of the span that just ended. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

/** Calls a service as its client would, then prints what it answered. */
async function ask(svc, path) {
  const res = await quietly(() => fetch(`${svc.url}${path}`));
  const text = await res.text();
  await settle();
  const retryAfter = res.headers.get('retry-after');
  let summary = text.length > 160 ? `${text.slice(0, 160)}…` : text;
  try {
    const body = JSON.parse(text);
    summary = body.cause ? `cause=${body.cause} retryable=${body.retryable} "${body.title}"` : `${Object.keys(body).join(', ')}`;
  } catch {
    // not JSON: print it as it came
  }
  console.log(`   ⇒ the service answered its client: ${res.status}${retryAfter ? ` Retry-After: ${retryAfter}` : ''} ${res.headers.get('content-type')?.split(';')[0] ?? ''} ${summary}`);
  return res;
}

/** A direct SDK or fetch call, under a `demo:` span so its tree prints on its own; what the app got prints after it. */
async function direct(title, fn) {
  const seen = await tracer.startActiveSpan(`demo: ${title}`, async (span) => {
    try {
      return `the app got: ${(await fn()) ?? 'ok'}`;
    } catch (error) {
      const status = error?.statusCode ?? error?.status ?? '';
      return `the app got a ${error?.name ?? 'failure'}: ${status} ${error?.code ?? ''}`.trimEnd();
    } finally {
      span.end();
    }
  });
  await settle();
  console.log(`   ⇒ ${seen}`);
}

const tools = { vault, vaultUrl, tenantId, quietly, credentialFor, staticCredential, service, ask, direct, settle };

// --- run ----------------------------------------------------------------------
const started = Date.now();
let failed = 0;
for (const [index, step] of scenarios.entries()) {
  console.log(`\n━━ ${index + 1}. ${step.title} ${'━'.repeat(Math.max(2, 70 - step.title.length))}`);
  if (step.why) console.log(`   ${step.why}`);
  try {
    await step.run(tools);
  } catch (error) {
    failed += 1;
    console.log(`   ✗ the step itself failed: ${error?.message ?? error}`);
  }
}
console.log(`\ntour: ${scenarios.length} scenarios in ${((Date.now() - started) / 1000).toFixed(1)} s${failed ? `, ${failed} failed` : ''}`);
process.disconnect?.();
process.exitCode = failed ? 1 : 0;
