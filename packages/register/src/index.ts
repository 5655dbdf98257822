/**
 * `node --import @kvtrace/register app.mjs` or `node --require @kvtrace/register app.cjs`:
 * starts kvtrace's NodeSDK from the environment before the app loads.
 *
 * This module has no top-level await, so `--require` loads it through
 * require(esm) (unflagged since Node 20.19) and no separate CommonJS build is needed.
 */
import { isMainThread } from 'node:worker_threads';
import { start } from './start.js';

// Node 20 also runs `--require` preloads inside its module-hooks worker: a
// second SDK there would export nothing useful and fight over the Prometheus port.
if (isMainThread) {
  try {
    start();
  } catch (error) {
    // Telemetry never stops the app from starting.
    console.warn(`kvtrace: not started (${error instanceof Error ? error.message : String(error)}).`);
  }
}

export {};
