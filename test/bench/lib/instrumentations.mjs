// Stock and kvtrace instrumentations side by side in one process. They patch
// globals (node:http exports, diagnostics channels, fetch's dispatcher), so
// each is built once, switched off, and then switched on alone for its rounds.
import diagnosticsChannel from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';

/**
 * kvtrace under test: the workspace's build, or (BENCH_KVTRACE_INSTRUMENTATION,
 * a path to a built index.js) a candidate build, for before/after figures of a patch.
 */
export const KVTRACE = process.env.BENCH_KVTRACE_INSTRUMENTATION
  ? pathToFileURL(process.env.BENCH_KVTRACE_INSTRUMENTATION).href
  : '@kvtrace/instrumentation';
const { createInstrumentations } = await import(KVTRACE);

const require = createRequire(import.meta.url);
/** Where Node's bundled fetch (undici 6) reads its dispatcher, on every call. */
const DISPATCHER = Symbol.for('undici.globalDispatcher.1');

/**
 * Node 20: once a channel loses its last subscriber it is only weakly held,
 * and after a GC `subscribe(name)` can land on a new channel object that the
 * bundled undici no longer publishes to: B's spans vanished after the first
 * gc() between rounds. Holding every channel strongly keeps re-enabling exact.
 */
export const CHANNELS = [
  'undici:request:create',
  'undici:client:sendHeaders',
  'undici:request:headers',
  'undici:request:bodyChunkReceived',
  'undici:request:trailers',
  'undici:request:error',
].map((name) => diagnosticsChannel.channel(name));
const BODY_CHUNKS = diagnosticsChannel.channel('undici:request:bodyChunkReceived');

/**
 * @param {() => Promise<void>} firstFetch a fetch made before anything else, so
 *   that Node's bundled undici creates its own global dispatcher (variants A, B).
 */
export async function buildInstrumentations(firstFetch) {
  await firstFetch();
  const bundledDispatcher = globalThis[DISPATCHER];
  if (bundledDispatcher === undefined) throw new Error('bench: the first fetch left no global dispatcher');

  // createInstrumentations() loads undici 7 (which requires node:http) before
  // it builds its HttpInstrumentation; with another instrumentation already
  // built, require-in-the-middle would then have run its one pass over
  // node:http and kvtrace's instrumentation could never patch it. Loading
  // undici first, while the bundled dispatcher holds the slot, has no other effect.
  createRequire(process.env.BENCH_KVTRACE_INSTRUMENTATION || require.resolve('@kvtrace/instrumentation'))('undici');
  // As at a real start-up, kvtrace comes before the app's first fetch and
  // installs its undici 7 dispatcher (the fetch body tap) into the empty slot.
  globalThis[DISPATCHER] = undefined;
  // All four are built before node:http is next required: require-in-the-middle
  // runs its hooks once per module, so an HttpInstrumentation built after that
  // would never get hold of the module and could not patch it on enable().
  const recorded = recordSubscriptions();
  let stockUndici, stockHttp, kvHttp, kvUndici;
  try {
    stockUndici = new UndiciInstrumentation();
    stockHttp = new HttpInstrumentation();
    [kvHttp, kvUndici] = createInstrumentations();
    patchHttpNow();
    // kvtrace's wrapper replaced the stock one (InstrumentationBase._wrap
    // unwraps first), so the stock disable() finds nothing to unwrap and its
    // shimmer says so on stderr: expected here, muted.
    withoutStderr(() => {
      kvHttp.disable();
      kvUndici.disable();
      stockHttp.disable();
      stockUndici.disable();
    });
  } finally {
    recorded.stop();
  }
  const tapDispatcher = globalThis[DISPATCHER];
  if (tapDispatcher === undefined || tapDispatcher === bundledDispatcher) {
    throw new Error('bench: createInstrumentations() installed no fetch dispatcher of its own');
  }
  // Subscriptions kvtrace made itself (the body tap, trailers, errors) stay
  // after its instrumentation is disabled: they are switched with variant C.
  const kvtraceSubscriptions = recorded.remaining();
  if (kvtraceSubscriptions.length === 0) throw new Error('bench: kvtrace subscribed to no undici channel');
  for (const [name, fn] of kvtraceSubscriptions) diagnosticsChannel.unsubscribe(name, fn);
  assertKvtraceChannels(false);
  globalThis[DISPATCHER] = bundledDispatcher;
  assertHttpUnpatched();

  return {
    kvtraceChannels: kvtraceSubscriptions.map(([name]) => name),
    /** Variant F's instrumentation, for capturing the real ClientRequest/IncomingMessage its hooks get. */
    kvtraceHttpInstrumentation: kvHttp,
    /** The hooks variant C runs (kvtrace's, composed into its UndiciInstrumentation's config). */
    kvtraceUndiciHooks: {
      requestHook: kvUndici.getConfig().requestHook,
      responseHook: kvUndici.getConfig().responseHook,
    },
    /** B: stock instrumentation-undici; fetch through Node's bundled dispatcher. */
    stockFetch: {
      enable: () => {
        assertKvtraceChannels(false);
        stockUndici.enable();
      },
      disable: () => stockUndici.disable(),
    },
    /** B7: B through kvtrace's undici 7 dispatcher, to split C - B into dispatcher and hooks. */
    stockFetchViaTap: {
      enable: () => {
        assertKvtraceChannels(false);
        globalThis[DISPATCHER] = tapDispatcher;
        stockUndici.enable();
      },
      disable: () => {
        stockUndici.disable();
        globalThis[DISPATCHER] = bundledDispatcher;
      },
    },
    /** C: kvtrace's UndiciInstrumentation, its channel subscribers first (as createInstrumentations orders them), its dispatcher. */
    kvtraceFetch: {
      enable: () => {
        for (const [name, fn] of kvtraceSubscriptions) diagnosticsChannel.subscribe(name, fn);
        assertKvtraceChannels(true);
        globalThis[DISPATCHER] = tapDispatcher;
        kvUndici.enable();
      },
      disable: () => {
        kvUndici.disable();
        globalThis[DISPATCHER] = bundledDispatcher;
        for (const [name, fn] of kvtraceSubscriptions) diagnosticsChannel.unsubscribe(name, fn);
      },
    },
    /** E: stock instrumentation-http. */
    stockHttp: {
      enable: () => {
        assertKvtraceChannels(false);
        stockHttp.enable();
      },
      disable: () => {
        stockHttp.disable();
        assertHttpUnpatched();
      },
    },
    /** F: kvtrace's HttpInstrumentation. */
    kvtraceHttp: {
      // kvtrace's undici subscriptions stay off: node:http never publishes on those channels.
      enable: () => {
        assertKvtraceChannels(false);
        kvHttp.enable();
      },
      disable: () => {
        kvHttp.disable();
        assertHttpUnpatched();
      },
    },
    /** The floor (A, D): nothing on, fetch through the bundled dispatcher. */
    none: {
      enable: () => {
        assertKvtraceChannels(false);
        globalThis[DISPATCHER] = bundledDispatcher;
      },
      disable: () => {},
    },
  };
}

/** Only kvtrace listens for body chunks: the channel has subscribers exactly while variant C runs. */
function assertKvtraceChannels(on) {
  if (BODY_CHUNKS.hasSubscribers !== on) {
    throw new Error(`bench: kvtrace's undici subscriptions are ${on ? 'off' : 'on'} where they must be ${on ? 'on' : 'off'}`);
  }
}

/** instrumentation-http patches node:http/https when they are next required (require-in-the-middle). */
function patchHttpNow() {
  require('node:http');
  require('node:https');
}

/** Two wrappers stacked would measure both; a variant must leave http.request as it found it. */
function assertHttpUnpatched() {
  for (const mod of [require('node:http'), require('node:https')]) {
    if (mod.request.__wrapped || mod.get.__wrapped) throw new Error('bench: node:http is still patched after disable()');
  }
}

function withoutStderr(fn) {
  const write = process.stderr.write;
  process.stderr.write = () => true;
  try {
    fn();
  } finally {
    process.stderr.write = write;
  }
}

/** Records diagnostics-channel subscriptions (and unsubscriptions) made while it runs. */
function recordSubscriptions() {
  const { subscribe, unsubscribe } = diagnosticsChannel;
  const live = [];
  diagnosticsChannel.subscribe = (name, fn) => {
    live.push([name, fn]);
    return subscribe(name, fn);
  };
  diagnosticsChannel.unsubscribe = (name, fn) => {
    const i = live.findIndex(([n, f]) => n === name && f === fn);
    if (i >= 0) live.splice(i, 1);
    return unsubscribe(name, fn);
  };
  return {
    stop() {
      diagnosticsChannel.subscribe = subscribe;
      diagnosticsChannel.unsubscribe = unsubscribe;
    },
    remaining: () => live.slice(),
  };
}
