// The scenarios of the tour, in order. Each one sets the vault up, makes the
// call a real service would make, and leaves the vault as it found it.
import { randomBytes, randomUUID } from 'node:crypto';
import { KeyClient } from '@azure/keyvault-keys';
import { SecretClient } from '@azure/keyvault-secrets';

const API = 'api-version=7.5';
const secretValue = () => randomBytes(18).toString('base64url');

/** Vault set-up with the default (fully granted) identity, with tracing suppressed. */
async function seed({ quietly, credentialFor, vaultUrl }, fn) {
  const secrets = new SecretClient(vaultUrl, credentialFor());
  const keys = new KeyClient(vaultUrl, credentialFor());
  return quietly(() => fn({ secrets, keys }));
}

/** A service whose SecretClient sends one fixed (bad) token, asked for one secret. */
async function withToken(t, claims, name = 'db-password') {
  const token = typeof claims === 'string' ? claims : await t.vault.mintToken(claims);
  const svc = await t.service(t.staticCredential(token));
  try {
    await t.ask(svc, `/config/${name}`);
  } finally {
    await svc.close();
  }
}

async function once(t, path, options, credential = t.credentialFor()) {
  const svc = await t.service(credential, options);
  try {
    return await t.ask(svc, path);
  } finally {
    await svc.close();
  }
}

export const scenarios = [
  {
    title: 'A healthy call through the Azure SDK',
    why: "The SDK first calls without a token, the vault answers 401 + WWW-Authenticate: that handshake span is OK, not an error.",
    run: async (t) => {
      await seed(t, ({ secrets }) => secrets.setSecret('db-password', secretValue()));
      await once(t, '/config/db-password');
    },
  },
  {
    title: 'A fetch call that forgot its token',
    run: (t) => t.direct('fetch without Authorization', async () => {
      const res = await fetch(`${t.vaultUrl}/secrets/db-password?${API}`);
      return `fetch resolved: ${res.status} (${(await res.json()).error?.code})`;
    }),
  },
  {
    title: 'An expired token',
    run: (t) => withToken(t, { expiresInS: -600 }),
  },
  {
    title: 'A token that is not valid yet (clock skew)',
    run: (t) => withToken(t, { notBeforeInS: 900 }),
  },
  {
    title: 'A token for Azure Resource Manager instead of Key Vault',
    why: 'Scope https://management.azure.com/.default gives aud https://management.azure.com/.',
    run: (t) => withToken(t, { aud: 'https://management.azure.com/' }),
  },
  {
    title: 'A token whose audience has a trailing slash',
    why: 'Key Vault accepts https://vault.azure.net, not https://vault.azure.net/.',
    run: (t) => withToken(t, { aud: 'https://vault.azure.net/' }),
  },
  {
    title: "A token from another tenant than the vault's",
    run: async (t) => {
      const other = randomUUID();
      await withToken(t, { tid: other, iss: `https://sts.windows.net/${other}/` });
    },
  },
  {
    title: 'An opaque token the vault cannot read',
    run: (t) => withToken(t, `opaque-${randomBytes(24).toString('hex')}`),
  },
  {
    title: 'A continuous-access-evaluation claims challenge',
    why: 'The vault revokes the session; the SDK asks the credential for a token with the claims and retries.',
    run: async (t) => {
      const claims = Buffer.from(JSON.stringify({ access_token: { nbf: { essential: true, value: String(Math.floor(Date.now() / 1000)) } } })).toString('base64');
      await t.vault.inject({
        status: 401,
        headers: {
          'www-authenticate': `Bearer authorization="https://login.windows.net/${t.tenantId}", resource="https://vault.azure.net", error="insufficient_claims", claims="${claims}"`,
        },
        body: { error: { code: 'Unauthorized', message: 'The access token has been revoked.' } },
        match: { operation: 'get' },
        times: 1,
      });
      try {
        await once(t, '/config/db-password');
      } finally {
        await t.vault.clearFaults();
      }
    },
  },
  {
    title: 'The vault firewall rejects the caller',
    run: async (t) => {
      await t.vault.setFirewall({ allow: ['10.20.0.0/16'] });
      await t.vault.setClientAddress('203.0.113.7');
      try {
        await once(t, '/config/db-password');
      } finally {
        await t.vault.setFirewall(null);
        await t.vault.setClientAddress(null);
      }
    },
  },
  {
    title: 'Access policy: the identity has no "get" permission on secrets',
    run: async (t) => {
      const client = await t.vault.registerClient();
      await once(t, '/config/db-password', undefined, t.credentialFor(client));
    },
  },
  {
    title: 'RBAC: no role assignment for the identity',
    run: async (t) => {
      const client = await t.vault.registerClient();
      await t.vault.setAuthorization('rbac');
      try {
        await once(t, '/config/db-password', undefined, t.credentialFor(client));
      } finally {
        await t.vault.setAuthorization('access-policy');
      }
    },
  },
  {
    title: 'RBAC: a grant that takes a moment to propagate',
    why: "The service opted in to 'grants may still be propagating': 503 + Retry-After, and the retry succeeds.",
    run: async (t) => {
      const client = await t.vault.registerClient();
      await t.vault.setAuthorization('rbac');
      await t.vault.assignRole(client, 'Key Vault Secrets User', { delayMs: 1500 });
      const svc = await t.service(t.credentialFor(client), { errorOptions: { backoffS: 5, propagationRetry: 2 } });
      try {
        const first = await t.ask(svc, '/config/db-password');
        const waitS = Number(first.headers.get('retry-after') ?? 2);
        console.log(`   … the client honours Retry-After and asks again in ${waitS} s`);
        await new Promise((resolve) => setTimeout(resolve, waitS * 1000));
        await t.ask(svc, '/config/db-password');
      } finally {
        await svc.close();
        await t.vault.setAuthorization('access-policy');
      }
    },
  },
  {
    title: 'A 403 the vault does not explain',
    run: async (t) => {
      await t.vault.inject({ status: 403, body: { error: { code: 'Forbidden', message: 'Operation is not allowed.' } }, times: 1 });
      try {
        await once(t, '/config/db-password');
      } finally {
        await t.vault.clearFaults();
      }
    },
  },
  {
    title: 'A disabled secret (not an access problem)',
    run: async (t) => {
      await seed(t, async ({ secrets }) => {
        const { properties } = await secrets.setSecret('legacy-api-key', secretValue());
        await secrets.updateSecretProperties('legacy-api-key', properties.version, { enabled: false });
      });
      await once(t, '/config/legacy-api-key');
    },
  },
  {
    title: 'A key whose key_ops do not allow signing',
    why: 'A fetch user signs with a key created for verification only.',
    run: async (t) => {
      const key = await seed(t, ({ keys }) => keys.createRsaKey('release-signing', { keySize: 2048, keyOps: ['verify'] }));
      const { token } = await t.quietly(() => t.credentialFor().getToken('https://vault.azure.net/.default'));
      await t.direct('fetch POST .../sign', async () => {
        const res = await fetch(`${key.id}/sign?${API}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ alg: 'RS256', value: Buffer.alloc(32, 7).toString('base64url') }),
        });
        return `${res.status} ${(await res.json()).error?.code ?? ''}`;
      });
    },
  },
  {
    title: 'Re-creating a secret name that is soft-deleted',
    run: async (t) => {
      const secrets = await seed(t, async ({ secrets }) => {
        await secrets.setSecret('old-webhook', secretValue());
        await (await secrets.beginDeleteSecret('old-webhook')).pollUntilDone();
        return secrets;
      });
      await t.direct('SecretClient.setSecret', () => secrets.setSecret('old-webhook', secretValue()).then(() => 'set'));
    },
  },
  {
    title: 'Writing a secret while its recovery is still in progress',
    run: async (t) => {
      await t.vault.setRecoveryDelay(3000);
      try {
        const secrets = await seed(t, async ({ secrets }) => {
          await secrets.beginRecoverDeletedSecret('old-webhook');
          return secrets;
        });
        await t.direct('SecretClient.setSecret', () => secrets.setSecret('old-webhook', secretValue()).then(() => 'set'));
      } finally {
        await t.vault.setRecoveryDelay(0);
      }
    },
  },
  {
    title: 'An invalid secret name',
    run: (t) => once(t, '/config/db_password'),
  },
  {
    title: 'A secret that does not exist',
    run: (t) => once(t, '/config/no-such-secret'),
  },
  {
    title: 'Throttled, with Retry-After: the SDK waits and retries',
    run: async (t) => {
      await t.vault.setThrottle({ retryAfterS: 1, count: 1 });
      try {
        await once(t, '/config/db-password');
      } finally {
        await t.vault.setThrottle(null);
      }
    },
  },
  {
    title: 'Throttled, without Retry-After: the SDK gives up at once',
    why: 'Real Key Vault 429s have been captured without Retry-After; the service answers 503 with its own backoff.',
    run: async (t) => {
      await t.vault.setThrottle({ count: 1 });
      try {
        await once(t, '/config/db-password');
      } finally {
        await t.vault.setThrottle(null);
      }
    },
  },
  {
    title: 'The same vault failures through the Fastify service',
    run: async (t) => {
      await t.vault.setThrottle({ count: 1 });
      try {
        await once(t, '/config/db-password', { framework: 'fastify', errorOptions: { backoffS: 5 } });
      } finally {
        await t.vault.setThrottle(null);
      }
      await once(t, '/fetch/config/no-such-secret', { framework: 'fastify' });
    },
  },
  {
    title: 'A wrong client secret (AADSTS7000215)',
    why: 'The token request fails before any vault call: the service answers 502, its own configuration is wrong.',
    run: (t) => once(t, '/config/db-password', undefined, t.credentialFor({
      tenantId: t.tenantId,
      clientId: process.env.AZURE_CLIENT_ID,
      clientSecret: `wrong-${randomBytes(8).toString('hex')}`,
    })),
  },
];
