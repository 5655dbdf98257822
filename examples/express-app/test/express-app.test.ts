/**
 * examples/express-app against fake-vault, in-process and as a process: the
 * shared body in @kvtrace/example-vault-kit; only starting Express is here.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { describeExampleService } from '@kvtrace/example-vault-kit/test/describe-example-service';
import { createApp } from '../app.mjs';

describeExampleService('express-app', async (deps) => {
  const app = createApp(deps);
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
});
