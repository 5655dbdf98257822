import { describe, expect, it } from 'vitest';
import { VAULT_CLOUDS, isVaultHost, parseVaultUrl, redactUrl } from '../src/index.js';

describe('parseVaultUrl: every cloud', () => {
  const hosts = [
    ['myvault.vault.azure.net', 'public', 'vault', 'https://vault.azure.net'],
    ['myhsm.managedhsm.azure.net', 'public', 'managed_hsm', 'https://managedhsm.azure.net'],
    ['myvault.vault.azure.cn', 'china', 'vault', 'https://vault.azure.cn'],
    ['myhsm.managedhsm.azure.cn', 'china', 'managed_hsm', 'https://managedhsm.azure.cn'],
    ['myvault.vault.usgovcloudapi.net', 'usgov', 'vault', 'https://vault.usgovcloudapi.net'],
    ['myhsm.managedhsm.usgovcloudapi.net', 'usgov', 'managed_hsm', 'https://managedhsm.usgovcloudapi.net'],
    ['myvault.vault.microsoftazure.de', 'germany', 'vault', 'https://vault.microsoftazure.de'],
    ['myhsm.managedhsm.microsoftazure.de', 'germany', 'managed_hsm', 'https://managedhsm.microsoftazure.de'],
  ] as const;

  it('lists one entry per host row', () => {
    expect(VAULT_CLOUDS.map((c) => c.suffix).sort()).toEqual(hosts.map(([h]) => h.slice(h.indexOf('.'))).sort());
  });

  it.each(hosts)('%s -> %s %s, audience %s', (host, cloud, kind, audience) => {
    const e = parseVaultUrl(`https://${host}/secrets/db-password?api-version=7.5`, 'GET');
    expect(e).toMatchObject({ host, vaultName: host.split('.')[0], cloud, kind, audience, operation: 'secrets.get' });
    expect(isVaultHost(host)).toBe(true);
    expect(isVaultHost(`${host}:443`)).toBe(true);
    expect(isVaultHost(host.toUpperCase())).toBe(true);
  });

  it.each([
    'https://example.com/secrets/a',
    'https://login.microsoftonline.com/tenant/oauth2/v2.0/token',
    'https://vault.azure.net/secrets/a', // the resource URL itself, no vault label
    'https://a.b.vault.azure.net/secrets/a', // two labels before the suffix
    'https://myvault.vault.azure.net.evil.example/secrets/a',
    'https://evil.example/?x=.vault.azure.net',
    'http://169.254.169.254/metadata/identity/oauth2/token',
    'not a url',
    '',
  ])('%s is not a vault', (url) => {
    expect(parseVaultUrl(url)).toBeNull();
  });

  it('accepts URL objects, odd casing and ports, and decodes names', () => {
    const e = parseVaultUrl(new URL('HTTPS://MyVault.Vault.Azure.Net:443/Secrets/db%2Dpassword/abc123?API-Version=x&api-version=7.6'), 'get');
    expect(e).toMatchObject({ vaultName: 'myvault', collection: 'secrets', objectName: 'db-password', objectVersion: 'abc123', apiVersion: '7.6', operation: 'secrets.get' });
  });

  // The Azure SDK's URL builder percent-encodes the hyphen of the query name.
  it.each([
    ['?api%2Dversion=7.6', '7.6'],
    ['?api%2dversion=7.6&x=1', '7.6'],
    ['?x=1&api%2Dversion=7.6', '7.6'],
    ['?api%2Dversion=7%2E6', '7.6'],
    ['?api%2Dversion=7.6&api-version=7.5', '7.6'],
    ['?api-version=7.5&api%2Dversion=7.6', '7.5'],
    ['?API%2DVersion=7.6', undefined],
    ['?api%2Dversionx=7.6', undefined],
    ['?xapi%2Dversion=7.6', undefined],
  ])('reads the api-version from %s', (query, apiVersion) => {
    expect(parseVaultUrl(`https://myvault.vault.azure.net/secrets/a${query}`, 'GET')?.apiVersion).toBe(apiVersion);
  });

  it('recognises user-configured hosts, exact or by suffix', () => {
    expect(parseVaultUrl('https://127.0.0.1:8443/secrets/a', 'GET')).toBeNull();
    expect(parseVaultUrl('https://127.0.0.1:8443/secrets/a', 'GET', { extraHosts: ['127.0.0.1:8443'] })).toMatchObject({
      cloud: 'custom', kind: 'vault', vaultName: '127', operation: 'secrets.get', audience: 'https://vault.azure.net',
    });
    expect(parseVaultUrl('https://kv1.vaults.example.test/keys/k/create', 'POST', { extraHosts: ['*.vaults.example.test'] })).toMatchObject({
      vaultName: 'kv1', operation: 'keys.create', cloud: 'custom',
    });
    expect(parseVaultUrl('https://vaults.example.test/keys', 'GET', { extraHosts: ['.vaults.example.test'] })).toBeNull();
    expect(isVaultHost('kv.local', ['KV.LOCAL'])).toBe(true);
    expect(isVaultHost('kv.local', [''])).toBe(false);
  });
});

describe('parseVaultUrl: operations', () => {
  const base = 'https://myvault.vault.azure.net';
  const rows: Array<[method: string, path: string, operation: string, name?: string, version?: string]> = [
    ['GET', '/secrets/s1', 'secrets.get', 's1'],
    ['GET', '/secrets/s1/v1', 'secrets.get', 's1', 'v1'],
    ['PUT', '/secrets/s1', 'secrets.set', 's1'],
    ['PATCH', '/secrets/s1/v1', 'secrets.update', 's1', 'v1'],
    ['DELETE', '/secrets/s1', 'secrets.delete', 's1'],
    ['GET', '/secrets', 'secrets.list'],
    ['GET', '/secrets/s1/versions', 'secrets.listversions', 's1'],
    ['POST', '/secrets/s1/backup', 'secrets.backup', 's1'],
    ['POST', '/secrets/restore', 'secrets.restore'],
    ['GET', '/deletedsecrets', 'secrets.listdeleted'],
    ['GET', '/deletedsecrets/s1', 'secrets.getdeleted', 's1'],
    ['DELETE', '/deletedsecrets/s1', 'secrets.purge', 's1'],
    ['POST', '/deletedsecrets/s1/recover', 'secrets.recover', 's1'],
    ['POST', '/keys/k1/create', 'keys.create', 'k1'],
    ['PUT', '/keys/k1', 'keys.import', 'k1'],
    ['POST', '/keys/k1/rotate', 'keys.rotate', 'k1'],
    ['GET', '/keys/k1/rotationpolicy', 'keys.getrotationpolicy', 'k1'],
    ['PUT', '/keys/k1/rotationpolicy', 'keys.setrotationpolicy', 'k1'],
    ['GET', '/keys/k1', 'keys.get', 'k1'],
    ['GET', '/keys', 'keys.list'],
    ['POST', '/keys/k1/v1/sign', 'keys.sign', 'k1', 'v1'],
    ['POST', '/keys/k1/v1/verify', 'keys.verify', 'k1', 'v1'],
    ['POST', '/keys/k1/v1/encrypt', 'keys.encrypt', 'k1', 'v1'],
    ['POST', '/keys/k1/v1/decrypt', 'keys.decrypt', 'k1', 'v1'],
    ['POST', '/keys/k1/v1/wrapKey', 'keys.wrapkey', 'k1', 'v1'],
    ['POST', '/keys/k1/v1/unwrapkey', 'keys.unwrapkey', 'k1', 'v1'],
    // The SDK's CryptographyClient sends an empty version for a key id without one.
    ['POST', '/keys/k1//sign', 'keys.sign', 'k1'],
    ['POST', '/keys/k1//verify', 'keys.verify', 'k1'],
    ['POST', '/keys/k1//encrypt', 'keys.encrypt', 'k1'],
    ['POST', '/keys/k1//decrypt', 'keys.decrypt', 'k1'],
    ['POST', '/keys/k1//wrapkey', 'keys.wrapkey', 'k1'],
    ['POST', '/keys/k1//unwrapKey', 'keys.unwrapkey', 'k1'],
    ['POST', '/keys/k1//release', 'keys.release', 'k1'],
    ['POST', '/keys/k1/release', 'keys.release', 'k1'],
    ['POST', '/keys/k1/v1/release', 'keys.release', 'k1', 'v1'],
    ['GET', '/keys/k1/v1', 'keys.get', 'k1', 'v1'],
    ['POST', '/keys/k1/v1', 'keys.other', 'k1'],
    ['POST', '/keys/k1//frobnicate', 'keys.other', 'k1'],
    ['POST', '/keys/k1/v1/sign/extra', 'keys.other', 'k1'],
    ['DELETE', '/keys/k1', 'keys.delete', 'k1'],
    ['POST', '/deletedkeys/k1/recover', 'keys.recover', 'k1'],
    ['DELETE', '/deletedkeys/k1', 'keys.purge', 'k1'],
    ['POST', '/rng', 'keys.getrandombytes'],
    ['GET', '/certificates/c1', 'certificates.get', 'c1'],
    ['GET', '/certificates/c1/v1', 'certificates.get', 'c1', 'v1'],
    ['POST', '/certificates/c1/create', 'certificates.create', 'c1'],
    ['POST', '/certificates/c1/import', 'certificates.import', 'c1'],
    ['GET', '/certificates/c1/policy', 'certificates.getpolicy', 'c1'],
    ['GET', '/certificates/c1/pending', 'certificates.getoperation', 'c1'],
    ['POST', '/certificates/c1/pending/merge', 'certificates.merge', 'c1'],
    ['GET', '/certificates/issuers', 'certificates.listissuers'],
    ['PUT', '/certificates/issuers/i1', 'certificates.setissuer', 'i1'],
    ['GET', '/certificates/contacts', 'certificates.getcontacts'],
    ['GET', '/deletedcertificates', 'certificates.listdeleted'],
    ['OPTIONS', '/secrets/s1', 'secrets.other', 's1'],
    ['GET', '/secrets/s1/v1/extra', 'secrets.other', 's1'],
    ['GET', '/', 'vault.other'],
    ['GET', '/whatever/x', 'vault.other'],
    ['GET', '/securitydomain/download', 'securitydomain.other'],
  ];
  it.each(rows)('%s %s -> %s', (method, path, operation, name, version) => {
    const e = parseVaultUrl(`${base}${path}?api-version=7.5`, method);
    expect(e?.operation).toBe(operation);
    expect(e?.objectName).toBe(name);
    expect(e?.objectVersion).toBe(version);
  });

  it('defaults the method to GET', () => {
    expect(parseVaultUrl(`${base}/secrets/s1`)?.operation).toBe('secrets.get');
  });
});

describe('redactUrl', () => {
  it('keeps only api-version in the query and drops the fragment', () => {
    expect(redactUrl('https://myvault.vault.azure.net/secrets/a?api-version=7.5&sig=abc&code=x#frag')).toBe(
      'https://myvault.vault.azure.net/secrets/a?api-version=7.5',
    );
    expect(redactUrl('https://myvault.vault.azure.net/secrets?maxresults=25')).toBe('https://myvault.vault.azure.net/secrets');
  });
  it('keeps the api-version the Azure SDK sends as api%2Dversion, spelled api-version, and agrees with parseVaultUrl', () => {
    for (const [query, kept] of [
      ['?api%2Dversion=7.6&sig=abc', '?api-version=7.6'],
      ['?sig=abc&api%2dversion=7.6', '?api-version=7.6'],
      ['?api%2Dversion=7.6&api-version=7.5', '?api-version=7.6'],
      ['?API%2DVersion=7.6', ''],
    ] as const) {
      const url = `https://myvault.vault.azure.net/keys/k1//sign${query}`;
      expect(redactUrl(url), query).toBe(`https://myvault.vault.azure.net/keys/k1//sign${kept}`);
      const apiVersion = parseVaultUrl(url, 'POST')?.apiVersion;
      expect(apiVersion === undefined ? '' : `?api-version=${apiVersion}`, query).toBe(kept);
    }
  });
  it('replaces user info', () => {
    expect(redactUrl('https://user:pass@myvault.vault.azure.net/secrets/a')).toBe('https://REDACTED:REDACTED@myvault.vault.azure.net/secrets/a');
  });
  it.each([
    ['/secrets/db-password/v1', '/secrets/REDACTED/v1'],
    ['/deletedsecrets/db-password/recover', '/deletedsecrets/REDACTED/recover'],
    ['/keys/k1/v1/sign', '/keys/REDACTED/v1/sign'],
    ['/keys/k1//sign', '/keys/REDACTED//sign'],
    ['/certificates/issuers/digicert', '/certificates/issuers/REDACTED'],
    ['/secrets/restore', '/secrets/restore'],
    ['/secrets', '/secrets'],
    ['/rng', '/rng'],
  ])('recordObjectNames false: %s -> %s', (path, redacted) => {
    expect(redactUrl(`https://v.vault.azure.net${path}?api-version=7.5`, { recordObjectNames: false })).toBe(
      `https://v.vault.azure.net${redacted}?api-version=7.5`,
    );
  });
  it('answers an empty string for what does not parse', () => {
    expect(redactUrl('::nope')).toBe('');
    expect(redactUrl('')).toBe('');
  });
});
