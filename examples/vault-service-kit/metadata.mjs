// What the example services answer about a secret, from either of the two
// ways they read it (Azure SDK or plain fetch): the same JSON both ways.

/** What a client may learn about a secret: never its value. */
export function secretMetadata(properties) {
  return {
    name: properties.name,
    version: properties.version,
    enabled: properties.enabled,
    contentType: properties.contentType,
    createdOn: properties.createdOn,
    updatedOn: properties.updatedOn,
    expiresOn: properties.expiresOn,
    tags: properties.tags ?? {},
  };
}

/** The same from a raw SecretBundle (fetch path): attributes are epoch seconds there. */
export function bundleMetadata(bundle) {
  const at = (s) => (typeof s === 'number' ? new Date(s * 1000) : undefined);
  const [, , name, version] = new URL(bundle.id).pathname.split('/');
  return secretMetadata({
    name,
    version,
    enabled: bundle.attributes?.enabled,
    contentType: bundle.contentType,
    createdOn: at(bundle.attributes?.created),
    updatedOn: at(bundle.attributes?.updated),
    expiresOn: at(bundle.attributes?.exp),
    tags: bundle.tags,
  });
}
