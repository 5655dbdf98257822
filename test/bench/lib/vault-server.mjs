// Starts fake-vault (plain HTTP, 127.0.0.1) in a child process and talks to it over IPC.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./vault-child.mjs', import.meta.url));

/** @returns {Promise<{ vaultUrl: string, url: string, tenantId: string, secretName: string, apiVersion: string, token: string, mint: (count: number, claims?: object) => Promise<string[]>, close: () => Promise<void> }>} */
export async function startVaultProcess() {
  const child = fork(CHILD, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let nextId = 0;
  const pending = new Map();
  const ready = new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`fake-vault process exited with ${code} before it was ready`)));
    child.on('message', (message) => {
      if (message.type === 'ready') resolve(message);
      else pending.get(message.id)?.(message);
    });
  });
  const info = await ready;
  child.removeAllListeners('exit');
  const ask = (message) =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, (answer) => {
        pending.delete(id);
        resolve(answer);
      });
      child.send({ ...message, id });
    });
  return {
    ...info,
    async mint(count, claims) {
      return (await ask({ type: 'mint', count, claims })).tokens;
    },
    async requestCount() {
      return (await ask({ type: 'requests' })).count;
    },
    close: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.send({ type: 'close' });
      }),
  };
}
