import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretClient } from '@azure/keyvault-secrets';
import { KeyClient } from '@azure/keyvault-keys';
import { start } from '../src/index.js';
import type { FakeVault } from '../src/index.js';
import { secretClient, thrown, vaultFetch } from './helpers.js';

let vault: FakeVault;
let client: SecretClient;

beforeAll(async () => {
  vault = await start({ vaultName: 'statevault' });
  client = await secretClient(vault);
});
afterAll(() => vault.close());

describe('object states seen in the wild', () => {
  it('403 SecretDisabled for a disabled secret', async () => {
    const s = await client.setSecret('disabled-one', 'v');
    await client.updateSecretProperties('disabled-one', s.properties.version!, { enabled: false });
    const err = await thrown(() => client.getSecret('disabled-one'));
    expect(err.statusCode).toBe(403);
    expect(err.code).toBe('Forbidden');
    expect(err.details.error.innerError.code).toBe('SecretDisabled');
    expect(err.message).toBe('Operation get is not allowed on a disabled secret.');
  });

  it('409 ObjectIsDeletedButRecoverable when a soft-deleted name is reused', async () => {
    await client.setSecret('reused', 'v');
    await (await client.beginDeleteSecret('reused')).pollUntilDone();
    const err = await thrown(() => client.setSecret('reused', 'again'));
    expect(err.statusCode).toBe(409);
    expect(err.code).toBe('Conflict');
    expect(err.details.error.innerError.code).toBe('ObjectIsDeletedButRecoverable');
    expect(err.message).toBe('Secret reused is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.');
    const keys = new KeyClient(vault.vaultUrl, await vault.credential(), vault.clientOptions());
    await keys.createEcKey('reused-key');
    await (await keys.beginDeleteKey('reused-key')).pollUntilDone();
    const keyErr = await thrown(() => keys.createEcKey('reused-key'));
    expect(keyErr.details.error.innerError.code).toBe('ObjectIsDeletedButRecoverable');
    expect(keyErr.message).toBe('Key reused-key is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the key can only be recovered or purged.');
  });

  it('409 ObjectIsBeingRecovered while a recovery is in progress, then the secret is back', async () => {
    vault.setRecoveryDelay(2500);
    try {
      await client.setSecret('recovering', 'v1');
      await (await client.beginDeleteSecret('recovering')).pollUntilDone();
      const token = await vault.mintToken();
      const recover = await vaultFetch(vault, '/deletedsecrets/recovering/recover?api-version=2025-07-01', { method: 'POST', token });
      expect(recover.status).toBe(200);
      const recoveredAt = Date.now();
      const err = await thrown(() => client.setSecret('recovering', 'v2'));
      expect(err.statusCode).toBe(409);
      expect(err.details.error.innerError.code).toBe('ObjectIsBeingRecovered');
      expect(err.message).toBe('Secret recovering is currently being recovered and cannot be re-created; retry later.');
      expect((await thrown(() => client.getSecret('recovering'))).statusCode).toBe(404);
      expect(Date.now() - recoveredAt).toBeLessThan(2500); // both answers above fell inside the recovery
      await new Promise((r) => setTimeout(r, recoveredAt + 2600 - Date.now()));
      expect((await client.getSecret('recovering')).value).toBe('v1');
    } finally {
      vault.setRecoveryDelay(0);
    }
  });

  it('the SDK recovery poller waits out a slow recovery', async () => {
    vault.setRecoveryDelay(500);
    try {
      await client.setSecret('slow-recover', 'v');
      await (await client.beginDeleteSecret('slow-recover')).pollUntilDone();
      const poller = await client.beginRecoverDeletedSecret('slow-recover', { intervalInMs: 200 });
      expect((await poller.pollUntilDone()).name).toBe('slow-recover');
      expect((await client.getSecret('slow-recover')).value).toBe('v');
    } finally {
      vault.setRecoveryDelay(0);
    }
  });

  it('400 BadParameter for an invalid object name', async () => {
    const err = await thrown(() => client.getSecret('bad_name'));
    expect(err.statusCode).toBe(400);
    expect(err.code).toBe('BadParameter');
    expect(err.message).toBe('The request URI contains an invalid name: bad_name');
  });

  it('400 BadParameter for an unsupported api-version (a sovereign cloud lagging behind)', async () => {
    const old = new SecretClient(vault.vaultUrl, await vault.credential(), { ...vault.clientOptions(), serviceVersion: '7.9' as never });
    const err = await thrown(() => old.getSecret('anything'));
    expect(err.statusCode).toBe(400);
    expect(err.code).toBe('BadParameter');
    expect(err.message).toBe('The specified version (7.9) is not recognized. Consider using the latest supported version (2025-07-01).');
  });
});
