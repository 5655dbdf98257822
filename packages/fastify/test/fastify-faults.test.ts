/**
 * The rows of the middleware table that need fake-vault's faults, RBAC and
 * recovery switches, through a real Fastify server (same rows as Express).
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { TokenCredential } from '@azure/identity';
import type { SecretClient } from '@azure/keyvault-secrets';
import type { FakeVault } from '@kvtrace/fake-vault';
import { kvtrace } from '../src/index.js';
// One table and one set of real parts for both adapters.
import { FAULT_ROWS, rowContext } from '../../express/test/vault-rows.js';
import { expectRow, get, sdkClient, startVault } from '../../express/test/vault-fixture.js';

let vault: FakeVault;
let credential: TokenCredential;
let client: SecretClient;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  vault = await startVault();
  credential = await vault.credential();
  client = sdkClient(vault, credential);
});

afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await vault.close();
});

describe('Fastify: fault, RBAC and recovery rows', () => {
  for (const row of FAULT_ROWS) {
    it(row.title, async () => {
      const ctx = rowContext(vault, client, credential);
      await row.arrange?.(ctx);
      try {
        const app = Fastify();
        apps.push(app);
        await app.register(kvtrace, row.options ?? {});
        app.get('/call', async () => {
          await row.call(ctx);
          return { ok: true };
        });
        expectRow(await get(await app.listen({ port: 0, host: '127.0.0.1' }), '/call'), row, vault);
      } finally {
        await row.cleanup?.(ctx);
        vault.clearFaults();
      }
    });
  }
});
