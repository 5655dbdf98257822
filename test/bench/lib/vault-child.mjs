// fake-vault in plain-HTTP mode, in its own process: the vault's work (JWT
// signature checks, JSON) stays off the measuring process's event loop, and
// instrumentation-http in the measuring process never sees a server span.
import { start } from '@kvtrace/fake-vault';

const SECRET_NAME = 'bench-secret';
const API_VERSION = '7.6';

const vault = await start({ http: true, vaultName: 'benchvault' });
const token = await vault.mintToken();
// Seeded through the vault's own REST API, by address (vault paths on vault.url go to the default vault).
const put = await fetch(`${vault.url}/secrets/${SECRET_NAME}?api-version=${API_VERSION}`, {
  method: 'PUT',
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  body: JSON.stringify({ value: 'not-a-real-secret' }),
});
if (put.status !== 200) throw new Error(`fake-vault: seeding ${SECRET_NAME} answered ${put.status}`);

process.on('message', async (message) => {
  if (message?.type === 'mint') {
    const tokens = [];
    for (let i = 0; i < message.count; i++) tokens.push(await vault.mintToken(message.claims ?? {}));
    process.send({ type: 'minted', id: message.id, tokens });
  } else if (message?.type === 'requests') {
    process.send({ type: 'requests', id: message.id, count: vault.requests.length });
  } else if (message?.type === 'close') {
    await vault.close();
    process.exit(0);
  }
});
process.on('disconnect', () => void vault.close().finally(() => process.exit(0)));

process.send({
  type: 'ready',
  vaultUrl: vault.vaultUrl,
  url: vault.url,
  tenantId: vault.tenantId,
  secretName: SECRET_NAME,
  apiVersion: API_VERSION,
  token,
});
