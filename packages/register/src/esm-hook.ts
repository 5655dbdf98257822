/**
 * ESM apps need a loader hook: `import * as https from 'node:https'` (what the
 * Azure SDK's ESM build does) binds the module namespace, which
 * require-in-the-middle never sees, so instrumentation-http would patch
 * nothing. import-in-the-middle's hook makes those namespaces patchable
 * (see @opentelemetry/instrumentation's hook.mjs).
 *
 * Two details matter:
 * - The hook must come from the very import-in-the-middle copy that
 *   instrumentation-http's base class registers its `Hook`s with (the two talk
 *   through that copy's module state), so it is resolved through
 *   @kvtrace/instrumentation -> instrumentation-http -> @opentelemetry/instrumentation.
 * - A static `include` list lets the hook wrap only http/https, and needs no
 *   top-level await (a message-channel handshake would), so the same entry
 *   also loads through `--require` (require(esm), Node >= 20.19).
 */
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

/** The modules kvtrace's instrumentations patch (undici is observed through diagnostics_channel). */
export const ESM_HOOKED_MODULES: readonly string[] = ['http', 'https'];

const REGISTERED = Symbol.for('kvtrace.register.esm-hook');

/**
 * Registers the loader hook once per process. Returns an error message
 * instead of throwing: without it only ESM imports of node:http(s) go untraced.
 */
export function registerEsmHook(extraModules: readonly string[] = []): string | undefined {
  const g = globalThis as Record<symbol, unknown>;
  if (g[REGISTERED] === true) return undefined;
  try {
    const fromHere = createRequire(import.meta.url);
    const fromKvtrace = createRequire(fromHere.resolve('@kvtrace/instrumentation/package.json'));
    const fromHttp = createRequire(fromKvtrace.resolve('@opentelemetry/instrumentation-http/package.json'));
    const hook = fromHttp.resolve('@opentelemetry/instrumentation/hook.mjs');
    register(pathToFileURL(hook).href, import.meta.url, {
      data: { include: [...ESM_HOOKED_MODULES, ...extraModules] },
    });
    g[REGISTERED] = true;
    return undefined;
  } catch (error) {
    return `kvtrace: could not register the ESM loader hook (${error instanceof Error ? error.message : String(error)}); node:http(s) imported from ES modules will not be traced.`;
  }
}
