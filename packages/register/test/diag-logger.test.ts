/**
 * The diag logger register installs before creating kvtrace's instrumentations,
 * and its hand-over to NodeSDK 0.223 (which installs its own from OTEL_LOG_LEVEL).
 * The whole path, on a real app process: test/hardening/coexistence.e2e.test.ts.
 */
import { diag, type DiagLogger, DiagLogLevel } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { installDiagLogger } from '../src/diag-logger.js';

let printed: string[];
let warnings: string[];
const warn = (m: string) => warnings.push(m);
const savedLevel = process.env['OTEL_LOG_LEVEL'];

beforeEach(() => {
  diag.disable();
  delete process.env['OTEL_LOG_LEVEL'];
  printed = [];
  warnings = [];
  for (const level of ['error', 'warn', 'info', 'debug', 'trace', 'log'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void printed.push(`${level} ${args.map(String).join(' ')}`));
  }
});
afterEach(() => {
  vi.restoreAllMocks();
  diag.disable();
  if (savedLevel === undefined) delete process.env['OTEL_LOG_LEVEL'];
  else process.env['OTEL_LOG_LEVEL'] = savedLevel;
});

/** What a kvtrace instrumentation does at setup. */
const component = () => diag.createComponentLogger({ namespace: '@kvtrace/instrumentation' });

describe('installDiagLogger', () => {
  it('with OTEL_LOG_LEVEL unset, a setup warning reaches the console at once (WARN); info does not', () => {
    installDiagLogger({}, warn);
    component().warn('kvtrace: setup finding');
    component().info('kvtrace: chatter');
    expect(printed).toEqual(['warn @kvtrace/instrumentation kvtrace: setup finding']);
    expect(warnings).toEqual([]);
  });

  it('honours OTEL_LOG_LEVEL from the environment it is given, in any case', () => {
    installDiagLogger({ OTEL_LOG_LEVEL: ' debug ' }, warn);
    component().debug('kvtrace: detail');
    expect(printed).toContain('debug @kvtrace/instrumentation kvtrace: detail');
  });

  it('OTEL_LOG_LEVEL=none silences it', () => {
    installDiagLogger({ OTEL_LOG_LEVEL: 'NONE' }, warn);
    component().error('kvtrace: nothing');
    expect(printed).toEqual([]);
  });

  it('an unknown level: says so, and uses INFO as NodeSDK does', () => {
    installDiagLogger({ OTEL_LOG_LEVEL: 'loud' }, warn);
    component().info('kvtrace: info');
    component().debug('kvtrace: debug');
    expect(warnings).toEqual(['kvtrace: OTEL_LOG_LEVEL="loud" is not valid (expected one of NONE, ERROR, WARN, INFO, DEBUG, VERBOSE, ALL); using INFO.']);
    expect(printed).toEqual(['info @kvtrace/instrumentation kvtrace: info']);
  });

  it("leaves the app's own diag logger in place (a programmatic start() after the app set one)", () => {
    const got: string[] = [];
    const own: DiagLogger = { error: (m) => got.push(m), warn: (m) => got.push(m), info: () => {}, debug: () => {}, verbose: () => {} };
    diag.setLogger(own, DiagLogLevel.WARN);
    installDiagLogger({ OTEL_LOG_LEVEL: 'debug' }, warn)();
    diag.warn('kvtrace: to the app');
    expect(got).toEqual(['kvtrace: to the app']);
    expect(printed).toEqual([]);
  });

  it('hands over to NodeSDK without an "overwritten" warning when OTEL_LOG_LEVEL is set; NodeSDK\'s logger then works', () => {
    process.env['OTEL_LOG_LEVEL'] = 'warn';
    const handOver = installDiagLogger(process.env, warn);
    component().warn('kvtrace: before the SDK');
    handOver();
    new NodeSDK({ spanProcessors: [], metricReaders: [], autoDetectResources: false });
    component().warn('kvtrace: after the SDK');
    expect(printed).toEqual(['warn @kvtrace/instrumentation kvtrace: before the SDK', 'warn @kvtrace/instrumentation kvtrace: after the SDK']);
  });

  it('with OTEL_LOG_LEVEL unset, NodeSDK installs none: register\'s logger stays', () => {
    const handOver = installDiagLogger(process.env, warn);
    handOver();
    new NodeSDK({ spanProcessors: [], metricReaders: [], autoDetectResources: false });
    component().warn('kvtrace: still heard');
    expect(printed).toEqual(['warn @kvtrace/instrumentation kvtrace: still heard']);
  });
});
