/**
 * The decision logic of the exit hooks on an EventEmitter standing in for
 * `process` (real signals on real processes: test/register-signals.e2e.test.ts).
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { installExitHooks } from '../src/exit-hooks.js';

function fakeProcess(): { proc: NodeJS.Process; kills: string[] } {
  const kills: string[] = [];
  const emitter = new EventEmitter() as EventEmitter & { pid: number; kill: (pid: number, signal: string) => boolean };
  emitter.pid = 4242;
  emitter.kill = (_pid, signal) => {
    kills.push(signal);
    return true;
  };
  return { proc: emitter as unknown as NodeJS.Process, kills };
}

function recorder(delayMs = 0) {
  const calls: string[] = [];
  const later = (name: string) => () =>
    new Promise<void>((resolve) => {
      calls.push(name);
      setTimeout(resolve, delayMs);
    });
  return { calls, actions: { flush: later('flush'), shutdown: later('shutdown') } };
}

const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

describe('installExitHooks', () => {
  it('alone on SIGTERM: shuts down, removes its listeners, then re-raises the signal', async () => {
    const { proc, kills } = fakeProcess();
    const { calls, actions } = recorder();
    installExitHooks(actions, { proc });
    proc.emit('SIGTERM', 'SIGTERM');
    await tick();
    expect(calls).toEqual(['shutdown']);
    expect(kills).toEqual(['SIGTERM']);
    expect(proc.listenerCount('SIGTERM')).toBe(0);
    expect(proc.listenerCount('beforeExit')).toBe(0);
  });

  it('with an app listener (added later): flushes only, keeps listening, never re-raises', async () => {
    const { proc, kills } = fakeProcess();
    const { calls, actions } = recorder();
    installExitHooks(actions, { proc });
    proc.on('SIGINT', () => {});
    proc.emit('SIGINT', 'SIGINT');
    await tick();
    expect(calls).toEqual(['flush']);
    expect(kills).toEqual([]);
    expect(proc.listenerCount('SIGINT')).toBe(2);
  });

  it('beforeExit shuts down once, however often the loop drains', async () => {
    const { proc } = fakeProcess();
    const { calls, actions } = recorder();
    installExitHooks(actions, { proc });
    proc.emit('beforeExit', 0);
    proc.emit('beforeExit', 0);
    await tick();
    expect(calls).toEqual(['shutdown']);
  });

  it('re-raises after the timeout when the shutdown hangs (an unreachable collector)', async () => {
    const { proc, kills } = fakeProcess();
    const hang = { flush: () => new Promise<void>(() => {}), shutdown: () => new Promise<void>(() => {}) };
    installExitHooks(hang, { proc, timeoutMs: 30 });
    proc.emit('SIGTERM', 'SIGTERM');
    await tick(10);
    expect(kills).toEqual([]);
    await tick(60);
    expect(kills).toEqual(['SIGTERM']);
  });

  it('a failing shutdown still re-raises; the returned function removes every listener', async () => {
    const { proc, kills } = fakeProcess();
    installExitHooks({ flush: () => Promise.reject(new Error('x')), shutdown: () => Promise.reject(new Error('y')) }, { proc });
    proc.emit('SIGTERM', 'SIGTERM');
    await tick();
    expect(kills).toEqual(['SIGTERM']);
    const other = fakeProcess();
    const remove = installExitHooks(recorder().actions, { proc: other.proc });
    remove();
    expect(['SIGTERM', 'SIGINT', 'beforeExit'].map((e) => other.proc.listenerCount(e))).toEqual([0, 0, 0]);
  });
});
