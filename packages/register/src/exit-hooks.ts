/**
 * Flushing without taking shutdown away from the app. Registering a SIGTERM or
 * SIGINT listener removes Node's default "exit on signal", so kvtrace's
 * listener re-raises the signal only when it is the only listener: an app
 * with its own graceful shutdown keeps control (and gets a flush for free).
 */

export interface ExitHookActions {
  /** Exports what is buffered; the SDK keeps running. */
  flush(): Promise<void>;
  /** Exports what is buffered and stops the SDK. */
  shutdown(): Promise<void>;
}

export interface ExitHookOptions {
  /** Longest wait for a flush before the signal is re-raised anyway (default 5000 ms). */
  timeoutMs?: number;
  /** For tests: the process to hook (default `process`). */
  proc?: NodeJS.Process;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Installs the `beforeExit` and signal listeners; returns a function that removes them.
 */
export function installExitHooks(actions: ExitHookActions, options: ExitHookOptions = {}): () => void {
  const proc = options.proc ?? process;
  const timeoutMs = options.timeoutMs ?? 5000;
  let shutDown = false;

  // beforeExit fires again whenever the loop drains; shutting down once avoids
  // an export -> drain -> export loop (metric readers always have something to send).
  const onBeforeExit = (): void => {
    if (shutDown) return;
    shutDown = true;
    void bounded(actions.shutdown(), timeoutMs);
  };
  proc.on('beforeExit', onBeforeExit);

  const onSignal = (signal: NodeJS.Signals): void => {
    // Counted at delivery time: the app may add its handler after kvtrace's.
    const alone = proc.listenerCount(signal) === 1;
    if (!alone) {
      void bounded(actions.flush(), timeoutMs);
      return;
    }
    shutDown = true;
    void bounded(actions.shutdown(), timeoutMs).then(() => {
      remove();
      // No listener left: the default action ends the process as the signal would have.
      proc.kill(proc.pid, signal);
    });
  };
  for (const signal of SIGNALS) proc.on(signal, onSignal);

  function remove(): void {
    proc.removeListener('beforeExit', onBeforeExit);
    for (const signal of SIGNALS) proc.removeListener(signal, onSignal);
  }
  return remove;
}

/** Resolves when `work` settles or after `ms`, whichever is first; never rejects. */
function bounded(work: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    // Not unref'd: after a signal, this timer is what guarantees the re-raise.
    const timer = setTimeout(resolve, ms);
    work.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}
