import { describe, expect, it } from 'vitest';
import { expectNoLeak, mintToken, run } from './helpers.js';

describe('kvtrace usage and exit codes', () => {
  it('prints usage with the exit codes for --help, exit 0', async () => {
    const r = await run(['explain', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Exit codes: 0 no problem found, 1 a problem diagnosed, 2 usage error.');
  });

  it('prints its version', async () => {
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each([
    ['no command', []],
    ['an unknown command', ['diagnose']],
    ['nothing to explain', ['explain']],
    ['a bad status', ['explain', '--status', '4x3']],
    ['a missing value', ['explain', '--token']],
    ['two stdin readers', ['explain', '--token', '-', '--body', '-']],
    ['an unreadable file', ['explain', '--body', '@/nonexistent/kvtrace/body.json']],
    ['an unknown vault host', ['explain', '--status', '401', '--vault', 'https://example.com']],
    ['a body without a known code', ['explain', '--body', '{"error":{"code":"Weird"}}']],
    ['a tenant that is not a GUID', ['explain', '--token', 'x.y.z', '--tenant', 'contoso.onmicrosoft.com']],
  ])('exits 2 on %s', async (_label, args) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^kvtrace: /);
  });

  it('never echoes a token passed where it does not belong', async () => {
    const token = await mintToken();
    for (const args of [
      ['explain', token],
      ['explain', '--tokn', token],
      ['explain', `--tokn=${token}`],
      ['explain', '--status', token],
      ['explain', '--at', token],
      ['explain', '--tenant', token, '--status', '401'],
      ['explain', '--vault', token, '--status', '401'],
      ['explain', '--header', token, '--status', '401'],
      ['explain', '--body', token],
      ['explain', '--json', '--body', token],
      ['explain', '--response', '-'],
    ]) {
      const r = await run(args, token);
      expectNoLeak(r, token);
      expect(r.code).toBe(2);
    }
  });
});
