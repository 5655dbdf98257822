import { createRequire } from 'node:module';
import { log, warnOnce } from './diag-log.js';

/** Slot Node's bundled fetch (undici 6) reads its dispatcher from. */
const DISPATCHER_V1 = Symbol.for('undici.globalDispatcher.1');
/** Slot only undici >= 7 writes, together with the v1 slot. */
const DISPATCHER_V2 = Symbol.for('undici.globalDispatcher.2');

type DispatcherSlots = Record<symbol, unknown>;
let installed: unknown;

/**
 * Makes global `fetch` dispatch through undici 7, which publishes each
 * response body chunk on `undici:request:bodyChunkReceived`; Node 20's bundled
 * undici 6 publishes none, so without the tap fetch error bodies cannot be
 * read without consuming them. Keeps a dispatcher the app already set when it
 * is undici >= 7 (a ProxyAgent, say). Never replaces any other dispatcher the
 * app set (that could drop its proxy or TLS settings): says so once instead.
 * Returns whether fetch error bodies can be read. Idempotent.
 * @example installFetchBodyTap(); // before the app's first fetch
 */
export function installFetchBodyTap(): boolean {
  const slots = globalThis as unknown as DispatcherSlots;
  const current = slots[DISPATCHER_V1];
  if (current !== undefined && (current === installed || slots[DISPATCHER_V2] === current)) {
    installed = current;
    return true;
  }
  if (current !== undefined) {
    warnOnce(
      'dispatcher-kept',
      'kvtrace: global fetch already has an undici dispatcher older than undici 7 (set by the app, or created by ' +
        'a fetch made before kvtrace started); kvtrace keeps it, so fetch error bodies of Key Vault calls are not ' +
        'read. Start kvtrace before the first fetch, or use an undici >= 7 dispatcher.',
    );
    return false;
  }
  // Loaded here, not at import: undici's module body installs a global Agent
  // of its own when none is set, and importing kvtrace must not do that.
  const undici = createRequire(import.meta.url)('undici') as typeof import('undici');
  const agent = new undici.Agent();
  undici.setGlobalDispatcher(agent);
  installed = agent;
  log.debug('fetch body tap installed: global fetch dispatches through undici 7');
  return true;
}

/**
 * Checked on each vault fetch: an app that called setGlobalDispatcher with a
 * dispatcher that is not undici >= 7 after the tap went in has switched the
 * body tap off. Another undici 7 dispatcher publishes the same channel.
 */
export function checkFetchBodyTap(): void {
  if (installed === undefined) return;
  const slots = globalThis as unknown as DispatcherSlots;
  const current = slots[DISPATCHER_V1];
  if (current === installed || (current !== undefined && slots[DISPATCHER_V2] === current)) return;
  warnOnce(
    'dispatcher-replaced',
    'kvtrace: the global undici dispatcher was replaced after kvtrace installed its fetch body tap; ' +
      'unless the new one is undici >= 7, fetch error bodies of Key Vault calls are no longer read and causes ' +
      'that need the body (access_policy, rbac, firewall, ...) go missing. Use an undici >= 7 dispatcher.',
  );
}
