/**
 * Key Vault REST paths -> operation names. The names are a closed set (they
 * are metric attributes, so an odd path must not mint a new series): every
 * path the data-plane API documents maps to `<family>.<verb>`, anything else
 * to `<family>.other`, or `vault.other` outside the known collections.
 *
 * Deleted-object collections fold into their family: `GET /deletedsecrets` is
 * `secrets.listdeleted`, `GET /deletedsecrets/{n}` `secrets.getdeleted`,
 * `DELETE /deletedsecrets/{n}` `secrets.purge`, `POST .../recover`
 * `secrets.recover` (same for keys, certificates, storage).
 * https://learn.microsoft.com/rest/api/keyvault/
 */

export interface OperationMatch {
  readonly operation: string;
  readonly objectName?: string;
  readonly objectVersion?: string;
}

const FAMILIES: Readonly<Record<string, string>> = {
  secrets: 'secrets',
  keys: 'keys',
  certificates: 'certificates',
  storage: 'storage',
  deletedsecrets: 'secrets',
  deletedkeys: 'keys',
  deletedcertificates: 'certificates',
  deletedstorage: 'storage',
};

/** Managed HSM and vault-level collections without named objects. */
const SINGLE: Readonly<Record<string, string>> = {
  rng: 'keys.getrandombytes',
  securitydomain: 'securitydomain.other',
  providers: 'rbac.other',
  backup: 'hsm.backup',
  restore: 'hsm.restore',
  settings: 'hsm.settings',
};

const KEY_OPS = new Set(['sign', 'verify', 'encrypt', 'decrypt', 'wrapkey', 'unwrapkey', 'release']);

const VERB_BY_METHOD: Readonly<Record<string, string>> = { GET: 'get', PATCH: 'update', DELETE: 'delete' };

function named(operation: string, objectName?: string, objectVersion?: string): OperationMatch {
  const match: { operation: string; objectName?: string; objectVersion?: string } = { operation };
  if (objectName !== undefined) match.objectName = objectName;
  if (objectVersion !== undefined) match.objectVersion = objectVersion;
  return match;
}

function deleted(family: string, s: readonly string[], m: string): OperationMatch {
  const name = s[1];
  if (name === undefined) return named(m === 'GET' ? `${family}.listdeleted` : `${family}.other`);
  if (s.length === 2 && m === 'GET') return named(`${family}.getdeleted`, name);
  if (s.length === 2 && m === 'DELETE') return named(`${family}.purge`, name);
  if (s.length === 3 && m === 'POST' && s[2]?.toLowerCase() === 'recover') return named(`${family}.recover`, name);
  return named(`${family}.other`, name);
}

function certificateExtras(s: readonly string[], m: string): OperationMatch | undefined {
  const second = s[1]?.toLowerCase();
  if (second === 'issuers') {
    const issuer = s[2];
    if (issuer === undefined) return named(m === 'GET' ? 'certificates.listissuers' : 'certificates.other');
    const verb = m === 'PUT' ? 'set' : VERB_BY_METHOD[m];
    return named(verb ? `certificates.${verb}issuer` : 'certificates.other', issuer);
  }
  if (second === 'contacts') {
    const verb = m === 'PUT' ? 'set' : m === 'GET' ? 'get' : m === 'DELETE' ? 'delete' : undefined;
    return named(verb ? `certificates.${verb}contacts` : 'certificates.other');
  }
  const name = s[1];
  const third = s[2]?.toLowerCase();
  if (name === undefined || third === undefined) return undefined;
  if (s.length === 3 && m === 'POST' && (third === 'create' || third === 'import')) {
    return named(`certificates.${third}`, name);
  }
  if (s.length === 3 && third === 'policy') {
    return named(m === 'GET' ? 'certificates.getpolicy' : m === 'PATCH' ? 'certificates.updatepolicy' : 'certificates.other', name);
  }
  if (third === 'pending') {
    if (s.length === 4 && m === 'POST' && s[3]?.toLowerCase() === 'merge') return named('certificates.merge', name);
    if (s.length === 3) {
      const verb = m === 'GET' ? 'getoperation' : m === 'PATCH' ? 'canceloperation' : m === 'DELETE' ? 'deleteoperation' : 'other';
      return named(`certificates.${verb}`, name);
    }
  }
  return undefined;
}

function keyExtras(s: readonly string[], m: string): OperationMatch | undefined {
  const name = s[1];
  const third = s[2]?.toLowerCase();
  if (name === undefined || third === undefined) return undefined;
  if (s.length === 3 && m === 'POST' && (third === 'create' || third === 'rotate' || third === 'release')) {
    return named(`keys.${third}`, name);
  }
  if (s.length === 3 && third === 'rotationpolicy') {
    return named(m === 'GET' ? 'keys.getrotationpolicy' : m === 'PUT' ? 'keys.setrotationpolicy' : 'keys.other', name);
  }
  const fourth = s[3]?.toLowerCase();
  if (s.length === 4 && m === 'POST' && fourth !== undefined && KEY_OPS.has(fourth)) {
    return named(`keys.${fourth}`, name, s[2]);
  }
  // `/keys/{name}//sign`: the SDK's CryptographyClient leaves the version
  // segment empty for a key id without a version (the vault uses the latest),
  // and empty segments are dropped before this. No documented POST takes a
  // version alone, so `sign` here cannot be a version.
  if (s.length === 3 && m === 'POST' && KEY_OPS.has(third)) return named(`keys.${third}`, name);
  return undefined;
}

/**
 * The operation of a request, from its decoded, non-empty path segments and
 * its upper-cased method.
 */
export function operationFor(segments: readonly string[], method: string): OperationMatch {
  const collection = segments[0]?.toLowerCase();
  if (collection === undefined) return named('vault.other');
  const single = SINGLE[collection];
  if (single !== undefined) return named(single);
  const family = FAMILIES[collection];
  if (family === undefined) return named('vault.other');
  if (collection.startsWith('deleted')) return deleted(family, segments, method);

  const name = segments[1];
  if (name === undefined) return named(method === 'GET' ? `${family}.list` : `${family}.other`);
  if (segments.length === 2 && method === 'POST' && name.toLowerCase() === 'restore') return named(`${family}.restore`);
  const extra =
    family === 'keys' ? keyExtras(segments, method) : family === 'certificates' ? certificateExtras(segments, method) : undefined;
  if (extra) return extra;

  if (segments.length === 2) {
    if (method === 'PUT') return named(family === 'keys' ? 'keys.import' : `${family}.set`, name);
    const verb = VERB_BY_METHOD[method];
    return named(verb ? `${family}.${verb}` : `${family}.other`, name);
  }
  const third = segments[2];
  if (segments.length === 3 && third !== undefined) {
    const lower = third.toLowerCase();
    if (lower === 'versions' && method === 'GET') return named(`${family}.listversions`, name);
    if (lower === 'backup' && method === 'POST') return named(`${family}.backup`, name);
    if (method === 'GET') return named(`${family}.get`, name, third);
    if (method === 'PATCH') return named(`${family}.update`, name, third);
  }
  return named(`${family}.other`, name);
}
