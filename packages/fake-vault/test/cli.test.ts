import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Agent } from 'undici';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLookup } from '../src/index.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

describe.skipIf(!existsSync(cli))('kvtrace-fake-vault CLI', () => {
  it('prints vault URL, CA path, tenant, client id and secret; serves until SIGTERM; cleans up', async () => {
    const child = spawn(process.execPath, [cli, '--name', 'clivault', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
    });
    const info = JSON.parse(line);
    expect(info.vaultUrl).toMatch(/^https:\/\/clivault\.vault\.azure\.net:\d+$/);
    expect(info.tenantId).toMatch(/^[0-9a-f-]{36}$/);
    expect(info.clientId).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof info.clientSecret).toBe('string');
    expect(info.env.NODE_EXTRA_CA_CERTS).toBe(info.caPath);
    const ca = readFileSync(info.caPath, 'utf8');
    const dispatcher = new Agent({ connect: { ca, lookup: createLookup() } });
    try {
      const res = await fetch(`${info.vaultUrl}/secrets?api-version=7.5`, { ...({ dispatcher } as object) });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain(info.tenantId);
    } finally {
      await dispatcher.close();
    }
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(info.caPath)).toBe(false);
  });

  it('prints its usage with --help', async () => {
    const help = await new Promise<string>((resolve) => {
      const c = spawn(process.execPath, [cli, '--help']);
      let out = '';
      c.stdout.on('data', (d: Buffer) => (out += d.toString()));
      c.on('exit', () => resolve(out));
    });
    expect(help).toContain('Usage: kvtrace-fake-vault');
    expect(help).toContain('--throttle-scale');
  });
});
