import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SignJWT, generateKeyPair } from 'jose';
import { expect } from 'vitest';

/** The built bin, run as users run it. */
export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const OTHER_TENANT = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';
export const APP_ID = '0f3c6e8a-1b2d-4c5e-9f70-8a9b0c1d2e3f';
export const OID = '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d';

const { privateKey } = await generateKeyPair('RS256');

export interface MintOptions {
  aud?: string;
  tid?: string;
  /** Seconds from now. */
  exp?: number;
  nbf?: number;
}

/** An Entra-shaped v1 app token, signed with a key the test made. */
export async function mintToken(options: MintOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const tid = options.tid ?? TENANT;
  return new SignJWT({ tid, appid: APP_ID, oid: OID, idtyp: 'app', ver: '1.0' })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'test-key' })
    .setAudience(options.aud ?? 'https://vault.azure.net')
    .setIssuer(`https://sts.windows.net/${tid}/`)
    .setIssuedAt(now - 600)
    .setNotBefore(now + (options.nbf ?? -600))
    .setExpirationTime(now + (options.exp ?? 3000))
    .sign(privateKey);
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/bin.js ...args`, optionally feeding stdin. */
export function run(args: readonly string[], stdin?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

/** Asserts that neither the token nor any of its signature appears in the output. */
export function expectNoLeak(result: RunResult, token: string): void {
  const [header, payload, signature] = token.split('.');
  const out = result.stdout + result.stderr;
  expect(out).not.toContain(token);
  expect(out).not.toContain(payload as string);
  expect(out).not.toContain(header as string);
  // Any 16-char slice of the signature would be a leak of part of it.
  for (let i = 0; i + 16 <= (signature as string).length; i += 8) {
    expect(out).not.toContain((signature as string).slice(i, i + 16));
  }
}
