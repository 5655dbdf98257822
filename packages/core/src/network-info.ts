import type { NetworkInfo } from './types.js';

const MAX_HEADER_CHARS = 1024;
const MAX_VALUE_CHARS = 128;

/**
 * Parses `x-ms-keyvault-network-info`, e.g.
 * `conn_type=Ipv4;addr=1.2.3.4;act_addr_fam=InterNetwork;` or
 * `conn_type=PrivateLink;private_endpoint=...`. Empty object when absent or
 * unparsable. Never throws.
 * @example parseNetworkInfo('conn_type=Ipv4;addr=1.2.3.4;act_addr_fam=InterNetwork;').clientAddress // '1.2.3.4'
 */
export function parseNetworkInfo(value: string | null | undefined): NetworkInfo {
  if (typeof value !== 'string' || value.length === 0) return {};
  const out: { connectionType?: string; clientAddress?: string; privateEndpoint?: string } = {};
  for (const pair of value.slice(0, MAX_HEADER_CHARS).split(';')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const key = pair.slice(0, eq).trim().toLowerCase();
    const v = pair.slice(eq + 1).trim().slice(0, MAX_VALUE_CHARS);
    if (v.length === 0) continue;
    if (key === 'conn_type') out.connectionType ??= v;
    else if (key === 'addr') out.clientAddress ??= v;
    else if (key === 'private_endpoint') out.privateEndpoint ??= v;
  }
  return out;
}
