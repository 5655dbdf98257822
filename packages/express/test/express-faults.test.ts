/**
 * The rows of the middleware table that need fake-vault's faults, RBAC and
 * recovery switches, through a real Express server (same rows as Fastify).
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import type { TokenCredential } from '@azure/identity';
import type { SecretClient } from '@azure/keyvault-secrets';
import type { FakeVault } from '@kvtrace/fake-vault';
import { kvtraceErrorHandler } from '../src/index.js';
import { FAULT_ROWS, rowContext } from './vault-rows.js';
import { expectRow, get, sdkClient, startVault } from './vault-fixture.js';

let vault: FakeVault;
let credential: TokenCredential;
let client: SecretClient;
const servers: Server[] = [];

beforeAll(async () => {
  vault = await startVault();
  credential = await vault.credential();
  client = sdkClient(vault, credential);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await vault.close();
});

describe('Express: fault, RBAC and recovery rows', () => {
  for (const row of FAULT_ROWS) {
    it(row.title, async () => {
      const ctx = rowContext(vault, client, credential);
      await row.arrange?.(ctx);
      try {
        const app = express();
        app.get('/call', async (_req, res) => {
          await row.call(ctx);
          res.json({ ok: true });
        });
        app.use(kvtraceErrorHandler(row.options));
        const server = await new Promise<Server>((resolve) => {
          const s = app.listen(0, '127.0.0.1', () => resolve(s));
        });
        servers.push(server);
        const answer = await get(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, '/call');
        expectRow(answer, row, vault);
      } finally {
        await row.cleanup?.(ctx);
        vault.clearFaults();
      }
    });
  }
});
