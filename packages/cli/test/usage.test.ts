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

  // Each case gets a token where it does not belong; usage errors name the
  // option, never the value (a token argument is a token pasted by mistake).
  it.each<[string, (token: string) => string[], boolean]>([
    ['as a stray argument', (t) => ['explain', t], false],
    ['after an unknown option', (t) => ['explain', '--tokn', t], false],
    ['in --unknown=value form', (t) => ['explain', `--tokn=${t}`], false],
    ['as --status', (t) => ['explain', '--status', t], false],
    ['as --at', (t) => ['explain', '--at', t], false],
    ['as --tenant', (t) => ['explain', '--tenant', t, '--status', '401'], false],
    ['as --vault', (t) => ['explain', '--vault', t, '--status', '401'], false],
    ['as --header', (t) => ['explain', '--header', t, '--status', '401'], false],
    ['as --body', (t) => ['explain', '--body', t], false],
    ['as --body with --json', (t) => ['explain', '--json', '--body', t], false],
    ['on stdin as --response', () => ['explain', '--response', '-'], true],
  ])('never echoes a token passed %s', async (_label, args, viaStdin) => {
    const token = await mintToken();
    const r = await run(args(token), viaStdin ? token : undefined);
    expectNoLeak(r, token);
    expect(r.code).toBe(2);
  });
});

describe('kvtrace explain keeps request secrets out of its report', () => {
  it('ignores an Authorization header passed as a response header, in text and JSON', async () => {
    const token = await mintToken();
    for (const json of [[], ['--json']]) {
      const r = await run(['explain', '--status', '401', '--header', `Authorization: Bearer ${token}`, ...json]);
      expectNoLeak(r, token);
      expect(r.code).toBe(1);
    }
  });
});
