// require-in-the-middle runs its hooks once per module: if kvtrace's fetch tap
// loaded undici (which requires node:http) before HttpInstrumentation was
// built, an app that registered any other instrumentation first got no
// node:http client spans at all. Found by the benchmark harness.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const app = fileURLToPath(new URL('./fixtures/other-instrumentation-first.cjs', import.meta.url));

test('node:http client calls get spans when another instrumentation was built before kvtrace', () => {
  const out = execFileSync(process.execPath, [app], { encoding: 'utf8', timeout: 30_000 });
  expect(JSON.parse(out)).toEqual({ clientSpans: 1 });
});
