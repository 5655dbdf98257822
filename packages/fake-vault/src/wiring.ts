import { Agent as HttpsAgent } from 'node:https';
import { Agent as UndiciAgent } from 'undici';
import { createLookup } from './lookup.js';

/**
 * The Azure SDK's pipeline accepts a Node `agent` in its client options;
 * connection options set on the agent (ca, lookup) reach tls.connect, so the
 * SDK talks to `<name>.vault.azure.net` over verified TLS on 127.0.0.1 and
 * its challenge-resource check stays on.
 */
export function createAgent(ca: string): HttpsAgent {
  return new HttpsAgent({ ca: ca || undefined, lookup: createLookup(), keepAlive: true });
}

/** The same for fetch: pass as `fetch(url, { dispatcher })`. */
export function createDispatcher(ca: string): UndiciAgent {
  return new UndiciAgent({ connect: { ca: ca || undefined, lookup: createLookup() } });
}
