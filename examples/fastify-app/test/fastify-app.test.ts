/**
 * examples/fastify-app against fake-vault, in-process and as a process: the
 * shared body in @kvtrace/example-vault-kit; only starting Fastify is here.
 */
import { describeExampleService } from '@kvtrace/example-vault-kit/test/describe-example-service';
import { createApp } from '../app.mjs';

describeExampleService('fastify-app', async (deps) => {
  const app = await createApp(deps);
  return { url: await app.listen({ port: 0, host: '127.0.0.1' }), close: () => app.close() };
});
