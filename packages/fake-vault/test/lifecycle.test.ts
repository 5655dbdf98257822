import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { start } from '../src/index.js';
import { secretClient, vaultFetch } from './helpers.js';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));

function resourceCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

describe('lifecycle', () => {
  it('starting and stopping 20 times, with traffic, returns to the baseline of handles', async () => {
    const cycle = async () => {
      const vault = await start();
      const token = await vault.mintToken();
      expect((await vaultFetch(vault, '/secrets?api-version=7.5', { token })).status).toBe(200);
      const client = await secretClient(vault);
      await client.setSecret('s', 'v');
      await new Promise<void>((resolve, reject) => {
        request(`${vault.vaultUrl}/secrets?api-version=7.5`, { agent: vault.agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
          res.resume();
          res.on('end', resolve);
        }).on('error', reject).end();
      });
      const caPath = vault.caPath;
      await vault.close();
      expect(existsSync(caPath)).toBe(false);
    };
    await cycle(); // warm-up: certificate generation and module loading happen once
    await new Promise((r) => setTimeout(r, 50));
    const baseline = resourceCounts();
    for (let i = 0; i < 20; i++) await cycle();
    await new Promise((r) => setTimeout(r, 50));
    const after = resourceCounts();
    for (const kind of ['TCPServerWrap', 'TCPSocketWrap', 'TLSWrap', 'Timeout']) {
      expect(after[kind] ?? 0, kind).toBeLessThanOrEqual(baseline[kind] ?? 0);
    }
  });

  it('frees its port on close', async () => {
    const first = await start();
    const port = first.port;
    await first.close();
    const second = await start({ port });
    expect(second.port).toBe(port);
    await second.close();
  });

  it('serves plain HTTP for benchmarks', async () => {
    const vault = await start({ http: true });
    try {
      expect(vault.vaultUrl).toMatch(/^http:\/\/fakevault\.vault\.azure\.net:\d+$/);
      expect(vault.ca).toBe('');
      const res = await vaultFetch(vault, '/secrets?api-version=7.5', { token: await vault.mintToken() });
      expect(res.status).toBe(200);
    } finally {
      await vault.close();
    }
  });

  it('rejects bad options with a TypeError naming the option', async () => {
    await expect(start({ vaultName: 'x' })).rejects.toThrow(new TypeError('fake-vault: options.vaultName must be 3-24 letters, digits and dashes, starting with a letter'));
    await expect(start({ port: -1 })).rejects.toThrow(/options\.port/);
    await expect(start({ firewall: { allow: 'x' as never } })).rejects.toThrow(/options\.firewall\.allow/);
    await expect(start({ recoverableDays: 1 })).rejects.toThrow(TypeError);
  });

  it('writes the CA to caPath for NODE_EXTRA_CA_CERTS', async () => {
    const vault = await start();
    try {
      expect(readFileSync(vault.caPath, 'utf8')).toBe(vault.ca);
      expect(vault.ca).toMatch(/^-----BEGIN CERTIFICATE-----/);
    } finally {
      await vault.close();
    }
  });

  it.skipIf(!existsSync(new URL('../dist/resolve.js', import.meta.url)))(
    'a child process reaches the vault by name with --import @kvtrace/fake-vault/resolve and env()',
    async () => {
      const vault = await start({ vaultName: 'childvault' });
      try {
        const { stdout } = await run(process.execPath, ['--import', '@kvtrace/fake-vault/resolve', 'test/fixtures/child-app.mjs'], {
          cwd: packageDir,
          env: { ...process.env, ...vault.env() },
          timeout: 20_000,
        });
        expect(JSON.parse(stdout)).toEqual({ viaSdk: 'child-value', fetchStatus: 200, viaFetch: 'child-value', localhost: '127.0.0.1' });
        expect(vault.requests.some((r) => r.path === '/secrets/from-child' && r.status === 200)).toBe(true);
      } finally {
        await vault.close();
      }
    },
  );
});

describe('installResolve', () => {
  it('resolves vault hosts to 127.0.0.1 in-process and restores the resolver', async () => {
    const { installResolve } = await import('../src/index.js');
    const dns = await import('node:dns');
    const before = dns.lookup;
    const uninstall = installResolve(['login.example.test']);
    try {
      expect(await dns.promises.lookup('anything.vault.azure.net')).toEqual({ address: '127.0.0.1', family: 4 });
      expect(await dns.promises.lookup('login.example.test', { all: true })).toEqual([{ address: '127.0.0.1', family: 4 }]);
      const viaCallback = await new Promise((resolve, reject) => dns.lookup('x.vault.azure.net', (err, address) => (err ? reject(err) : resolve(address))));
      expect(viaCallback).toBe('127.0.0.1');
      // other names go to the system resolver, not back into the patch (an early version recursed here)
      const other = await new Promise((resolve, reject) => dns.default.lookup('localhost', { family: 4 }, (err, address) => (err ? reject(err) : resolve(address))));
      expect(other).toBe('127.0.0.1');
      expect((await dns.promises.lookup('localhost', { family: 4 })).address).toBe('127.0.0.1');
      await expect(dns.promises.lookup('no-such-host.invalid')).rejects.toThrow(/ENOTFOUND|EAI_AGAIN/);
      const vault = await start();
      try {
        // the global dispatcher is untouched; only the CA has to be given
        const { Agent } = await import('undici');
        const dispatcher = new Agent({ connect: { ca: vault.ca } });
        const res = await fetch(`${vault.vaultUrl}/secrets?api-version=7.5`, { ...({ dispatcher } as object) });
        expect(res.status).toBe(401);
        await dispatcher.close();
      } finally {
        await vault.close();
      }
    } finally {
      uninstall();
    }
    expect(dns.lookup).toBe(before);
  });
});

describe('close with work in flight', () => {
  it('cancels an injected latency and leaves no timer behind', async () => {
    const vault = await start();
    vault.inject({ latencyMs: 60_000 });
    const pending = vaultFetch(vault, '/secrets?api-version=7.5', { token: await vault.mintToken() }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    await vault.close();
    expect(await pending).toBeInstanceOf(TypeError); // the client sees the connection go away
    const timersAfter = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    expect(timersAfter).toBeLessThan(timersBefore);
  });
});
