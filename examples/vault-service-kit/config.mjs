// Environment of the example services (examples/express-app and examples/fastify-app).
import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';

/** Microsoft's own authority hosts: instance discovery works for them and stays on. */
const MICROSOFT_AUTHORITIES = ['login.microsoftonline.com', 'login.chinacloudapi.cn', 'login.microsoftonline.us'];

function required(env, name) {
  const value = env[name];
  if (!value) throw new Error(`${name} is required (see README.md)`);
  return value;
}

/** Reads VAULT_URL, AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_AUTHORITY_HOST, HOST, PORT. */
export function configFromEnv(env = process.env) {
  const vaultUrl = required(env, 'VAULT_URL');
  const authorityHost = env.AZURE_AUTHORITY_HOST || undefined;
  const custom = authorityHost !== undefined && !MICROSOFT_AUTHORITIES.includes(new URL(authorityHost).hostname);
  const credential = new ClientSecretCredential(
    required(env, 'AZURE_TENANT_ID'),
    required(env, 'AZURE_CLIENT_ID'),
    required(env, 'AZURE_CLIENT_SECRET'),
    // A custom authority (a private cloud, or fake-vault's issuer) cannot be
    // validated against login.microsoftonline.com's instance discovery.
    { ...(authorityHost ? { authorityHost } : {}), ...(custom ? { disableInstanceDiscovery: true } : {}) },
  );
  return {
    vaultUrl,
    credential,
    secretClient: new SecretClient(vaultUrl, credential),
    host: env.HOST || '127.0.0.1',
    port: Number(env.PORT || 3000),
  };
}
