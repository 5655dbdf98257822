import { guard } from './diag-log.js';

/**
 * One hook that runs each given hook in turn, each guarded on its own, so a
 * throwing hook neither stops the others nor reaches the instrumentation.
 * Undefined entries are skipped, so an optional user hook can be passed as is.
 * @example new HttpInstrumentation({ requestHook: composeHooks(myRequestHook, kv.requestHook) })
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any hook signature; H is the widest one given
export function composeHooks<H extends (...args: any[]) => void>(...hooks: ReadonlyArray<H | undefined>): H {
  const present = hooks.filter((h): h is H => typeof h === 'function');
  const composed = function composedHook(...args: Parameters<H>): void {
    for (const hook of present) guard(`hook ${hook.name || 'anonymous'}`, () => hook(...args));
  };
  return composed as H;
}
