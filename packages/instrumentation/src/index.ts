export type { KvtraceConfig } from './types.js';
export { createInstrumentations } from './create-instrumentations.js';
export type { InstrumentationOptions } from './create-instrumentations.js';
export { httpHooks } from './http-hooks.js';
export type { KvtraceHttpHooks } from './http-hooks.js';
export { undiciHooks } from './undici-hooks.js';
export type { KvtraceUndiciHooks } from './undici-hooks.js';
export { installFetchBodyTap } from './fetch-tap.js';
export { composeHooks } from './compose-hooks.js';
