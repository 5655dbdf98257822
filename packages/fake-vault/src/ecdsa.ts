import { randomBytes } from 'node:crypto';

/**
 * ECDSA over a digest the client already computed. Key Vault signs digests,
 * and node:crypto only signs messages (it always hashes), so the curve
 * arithmetic is done here with BigInt. Speed is irrelevant for a test double;
 * signatures verify with node:crypto against the key's public JWK.
 */
interface Curve {
  p: bigint;
  a: bigint;
  n: bigint;
  gx: bigint;
  gy: bigint;
  bytes: number;
}

const CURVES: Record<string, Curve> = {
  'P-256': {
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    a: 0xffffffff00000001000000000000000000000000fffffffffffffffffffffffcn,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    gx: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
    gy: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
    bytes: 32,
  },
  'P-384': {
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    a: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffcn,
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    gx: 0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n,
    gy: 0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn,
    bytes: 48,
  },
  'P-521': {
    p: (1n << 521n) - 1n,
    a: (1n << 521n) - 4n,
    n: 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
    gx: 0x00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66n,
    gy: 0x011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650n,
    bytes: 66,
  },
  'P-256K': {
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn,
    a: 0n,
    n: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n,
    gx: 0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798n,
    gy: 0x483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8n,
    bytes: 32,
  },
};

type Point = { x: bigint; y: bigint } | null;

const mod = (a: bigint, m: bigint): bigint => ((a % m) + m) % m;

function inverse(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [mod(a, m), m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return mod(s0, m);
}

function add(c: Curve, P: Point, Q: Point): Point {
  if (!P) return Q;
  if (!Q) return P;
  if (P.x === Q.x && mod(P.y + Q.y, c.p) === 0n) return null;
  const l = P.x === Q.x && P.y === Q.y
    ? mod((3n * P.x * P.x + c.a) * inverse(2n * P.y, c.p), c.p)
    : mod((Q.y - P.y) * inverse(Q.x - P.x, c.p), c.p);
  const x = mod(l * l - P.x - Q.x, c.p);
  return { x, y: mod(l * (P.x - x) - P.y, c.p) };
}

function multiply(c: Curve, k: bigint, P: Point): Point {
  let result: Point = null;
  let addend = P;
  while (k > 0n) {
    if (k & 1n) result = add(c, result, addend);
    addend = add(c, addend, addend);
    k >>= 1n;
  }
  return result;
}

const toBig = (b: Buffer): bigint => (b.length ? BigInt(`0x${b.toString('hex')}`) : 0n);
const toBytes = (v: bigint, len: number): Buffer => Buffer.from(v.toString(16).padStart(len * 2, '0'), 'hex');

/** The digest as an integer, truncated to the order's bit length (SEC 1, 4.1.3 step 5). */
function digestInt(c: Curve, digest: Buffer): bigint {
  const bits = c.n.toString(2).length;
  let e = toBig(digest);
  const excess = digest.length * 8 - bits;
  if (excess > 0) e >>= BigInt(excess);
  return e;
}

export function isCurve(crv: string): boolean {
  return crv in CURVES;
}

/** Signs `digest` with private scalar `d` (JWK `d`); returns r || s (JWS / Key Vault format). */
export function ecdsaSign(crv: string, d: Buffer, digest: Buffer): Buffer {
  const c = CURVES[crv]!;
  const e = digestInt(c, digest);
  const priv = toBig(d);
  for (;;) {
    const k = mod(toBig(randomBytes(c.bytes + 8)), c.n - 1n) + 1n;
    const R = multiply(c, k, { x: c.gx, y: c.gy })!;
    const r = mod(R.x, c.n);
    if (r === 0n) continue;
    const s = mod(inverse(k, c.n) * (e + r * priv), c.n);
    if (s === 0n) continue;
    return Buffer.concat([toBytes(r, c.bytes), toBytes(s, c.bytes)]);
  }
}

/** Verifies r || s over `digest` with public point (JWK `x`, `y`). */
export function ecdsaVerify(crv: string, x: Buffer, y: Buffer, digest: Buffer, signature: Buffer): boolean {
  const c = CURVES[crv]!;
  if (signature.length !== 2 * c.bytes) return false;
  const r = toBig(signature.subarray(0, c.bytes));
  const s = toBig(signature.subarray(c.bytes));
  if (r <= 0n || r >= c.n || s <= 0n || s >= c.n) return false;
  const w = inverse(s, c.n);
  const e = digestInt(c, digest);
  const P = add(c, multiply(c, mod(e * w, c.n), { x: c.gx, y: c.gy }), multiply(c, mod(r * w, c.n), { x: toBig(x), y: toBig(y) }));
  return P !== null && mod(P.x, c.n) === r;
}
