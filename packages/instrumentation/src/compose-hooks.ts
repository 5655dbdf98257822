import { guard } from './diag-log.js';

/**
 * One hook that runs each given hook in turn, each guarded on its own, so a
 * throwing hook neither stops the others nor reaches the instrumentation.
 * Undefined entries are skipped, so an optional user hook can be passed as is.
 * @example new HttpInstrumentation({ requestHook: composeHooks(myRequestHook, kv.requestHook) })
 */
export function composeHooks<A extends unknown[]>(
  ...hooks: ReadonlyArray<((...args: A) => void) | undefined>
): (...args: A) => void {
  const present = hooks.filter((h): h is (...args: A) => void => typeof h === 'function');
  return function composedHook(...args: A): void {
    for (const hook of present) guard(`hook ${hook.name || 'anonymous'}`, () => hook(...args));
  };
}
