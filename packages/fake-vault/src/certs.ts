import { generate } from 'selfsigned';
import { CLOUDS } from './clouds.js';

/** A CA and a server certificate it signed, all PEM. */
export interface Certificates {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
}

/** Names the server certificate covers: loopback plus every vault host the SDK may be pointed at. */
export const SERVER_NAMES: readonly string[] = ['localhost', ...CLOUDS.map((c) => `*.${c.suffix}`)];

let cached: Promise<Certificates> | undefined;

/**
 * The certificates are generated once per process: key generation is the
 * slow part of start(), and tests start and stop many vaults.
 */
export function certificates(): Promise<Certificates> {
  cached ??= generateCertificates();
  // A failed generation must not poison later calls.
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}

async function generateCertificates(): Promise<Certificates> {
  const now = new Date(Date.now() - 60_000);
  const until = new Date(now.getTime() + 30 * 86_400_000);
  const ca = await generate([{ name: 'commonName', value: 'kvtrace fake-vault CA' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: now,
    notAfterDate: until,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'fake-vault' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: now,
    notAfterDate: until,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...SERVER_NAMES.map((value) => ({ type: 2 as const, value })),
          { type: 7 as const, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { caCert: ca.cert, serverCert: server.cert, serverKey: server.private };
}
