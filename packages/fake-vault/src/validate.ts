import type { StartOptions } from './types.js';

/** Setup errors throw a TypeError naming the option (house rule). */
export function validateOptions(o: StartOptions): void {
  if (o === null || typeof o !== 'object') throw new TypeError('fake-vault: options must be an object');
  if (o.vaultName !== undefined && !/^[a-zA-Z][0-9a-zA-Z-]{1,22}[0-9a-zA-Z]$/.test(o.vaultName)) {
    throw new TypeError('fake-vault: options.vaultName must be 3-24 letters, digits and dashes, starting with a letter');
  }
  if (o.port !== undefined && !(Number.isInteger(o.port) && o.port >= 0 && o.port <= 65535)) {
    throw new TypeError('fake-vault: options.port must be an integer from 0 to 65535');
  }
  if (o.authorization !== undefined && o.authorization !== 'access-policy' && o.authorization !== 'rbac') {
    throw new TypeError("fake-vault: options.authorization must be 'access-policy' or 'rbac'");
  }
  for (const key of ['rbacPropagationMs', 'recoveryDelayMs'] as const) {
    const v = o[key];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) throw new TypeError(`fake-vault: options.${key} must be a number >= 0`);
  }
  if (o.throttling != null && o.throttling.scale !== undefined && !(typeof o.throttling.scale === 'number' && o.throttling.scale > 0)) {
    throw new TypeError('fake-vault: options.throttling.scale must be a number > 0');
  }
  for (const key of ['region', 'tenantId', 'clientId', 'clientSecret', 'objectId', 'clientAddress', 'subscriptionId', 'resourceGroup'] as const) {
    if (o[key] !== undefined && (typeof o[key] !== 'string' || o[key] === '')) {
      throw new TypeError(`fake-vault: options.${key} must be a non-empty string`);
    }
  }
  if (o.recoverableDays !== undefined && !(Number.isInteger(o.recoverableDays) && o.recoverableDays >= 7 && o.recoverableDays <= 90)) {
    throw new TypeError('fake-vault: options.recoverableDays must be an integer from 7 to 90');
  }
  if (o.firewall != null && !Array.isArray(o.firewall.allow)) {
    throw new TypeError('fake-vault: options.firewall.allow must be an array of addresses or CIDR ranges');
  }
}
