import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretClient } from '@azure/keyvault-secrets';
import { CryptographyClient, KeyClient } from '@azure/keyvault-keys';
import { start } from '../src/index.js';
import type { FakeVault } from '../src/index.js';
import { thrown } from './helpers.js';

let vault: FakeVault;
const SUB = '0b1f6471-1bf0-4dda-aec3-cb9272f09590';

beforeAll(async () => {
  vault = await start({ vaultName: 'rbacvault', region: 'swedencentral', authorization: 'rbac', subscriptionId: SUB, resourceGroup: 'Prod-RG' });
  const admin = new SecretClient(vault.vaultUrl, await vault.credential(), vault.clientOptions());
  await admin.setSecret('app-config', 'v');
  await admin.setSecret('other', 'o');
});
afterAll(() => vault.close());

describe('RBAC mode', () => {
  it('403 ForbiddenByRbac with caller, action, resource, assignment and decision reason', async () => {
    const app = vault.registerClient();
    const client = new SecretClient(vault.vaultUrl, await vault.credential(app), vault.clientOptions());
    const err = await thrown(() => client.getSecret('app-config'));
    expect(err.name).toBe('RestError');
    expect(err.statusCode).toBe(403);
    expect(err.code).toBe('Forbidden');
    expect(err.details.error.innerError.code).toBe('ForbiddenByRbac');
    expect(err.message).toBe(
      'Caller is not authorized to perform action on resource.\r\n' +
        'If role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\n' +
        `Caller: appid=${app.clientId};oid=${app.objectId};iss=https://sts.windows.net/${vault.tenantId}/\r\n` +
        "Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'\r\n" +
        `Resource: '/subscriptions/${SUB}/resourcegroups/prod-rg/providers/microsoft.keyvault/vaults/rbacvault/secrets/app-config'\r\n` +
        'Assignment: (not found)\r\n' +
        'DenyAssignmentId: null\r\n' +
        "DecisionReason: 'DeniedWithNoValidRBAC' \r\n" +
        'Vault: rbacvault;location=swedencentral\r\n',
    );
  });

  it('a fresh assignment is refused until it has propagated ("403 right after adding the identity")', async () => {
    const app = vault.registerClient();
    vault.assignRole(app, 'Key Vault Secrets User', { delayMs: 3000 });
    const assignedAt = Date.now();
    const client = new SecretClient(vault.vaultUrl, await vault.credential(app), vault.clientOptions());
    expect((await thrown(() => client.getSecret('app-config'))).details.error.innerError.code).toBe('ForbiddenByRbac');
    expect(Date.now() - assignedAt).toBeLessThan(3000); // the 403 above really fell inside the propagation delay
    await new Promise((r) => setTimeout(r, assignedAt + 3100 - Date.now()));
    expect((await client.getSecret('app-config')).value).toBe('v');
    // Secrets User reads but cannot write
    const err = await thrown(() => client.setSecret('app-config', 'new'));
    expect(err.message).toContain("Action: 'Microsoft.KeyVault/vaults/secrets/setSecret/action'");
  });

  it('an assignment scoped to one secret does not cover another', async () => {
    const app = vault.registerClient();
    vault.assignRole(app, 'Key Vault Secrets User', { scope: '/secrets/app-config' });
    const client = new SecretClient(vault.vaultUrl, await vault.credential(app), vault.clientOptions());
    expect((await client.getSecret('app-config')).value).toBe('v');
    const err = await thrown(() => client.getSecret('other'));
    expect(err.message).toContain('/vaults/rbacvault/secrets/other');
    vault.unassignRole(app);
    expect((await thrown(() => client.getSecret('app-config'))).statusCode).toBe(403);
  });

  it('Crypto User may sign but not create keys', async () => {
    const admin = new KeyClient(vault.vaultUrl, await vault.credential(), vault.clientOptions());
    const key = await admin.createRsaKey('rbac-key');
    const app = vault.registerClient();
    vault.assignRole(app, 'Key Vault Crypto User');
    const appCred = await vault.credential(app);
    const c = new CryptographyClient(key.id!, appCred, vault.clientOptions());
    expect((await c.signData('RS256', Buffer.from('x'))).result.length).toBe(256);
    const err = await thrown(() => new KeyClient(vault.vaultUrl, appCred, vault.clientOptions()).createRsaKey('nope'));
    expect(err.message).toContain("Action: 'Microsoft.KeyVault/vaults/keys/create/action'");
  });

  it('unknown roles are a TypeError', () => {
    expect(() => vault.assignRole('x', 'Key Vault Wizard')).toThrow(TypeError);
  });
});
