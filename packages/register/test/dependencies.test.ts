/**
 * Register builds its own OTLP exporters beside NodeSDK. Were they another
 * version than the ones sdk-node depends on, an install would carry two
 * copies of otlp-exporter-base, otlp-transformer and sdk-trace (0.223.1 next
 * to 0.223.0 happened): twice the code loaded, and two exporter stacks.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

const registerJson = new URL('../package.json', import.meta.url);
const fromRegister = createRequire(registerJson);
const sdkNodeJson = fromRegister.resolve('@opentelemetry/sdk-node/package.json');
const fromSdkNode = createRequire(sdkNodeJson);

const json = (path: string | URL): { version: string; dependencies: Record<string, string> } => JSON.parse(readFileSync(path, 'utf8'));
const registerDeps = json(registerJson.pathname).dependencies;
const otelDeps = Object.keys(registerDeps).filter((name) => name.startsWith('@opentelemetry/') && name !== '@opentelemetry/sdk-node');
const packageDir = (require: NodeJS.Require, name: string) => realpathSync(dirname(require.resolve(`${name}/package.json`)));

describe("register's OpenTelemetry dependencies", () => {
  it('are pinned to exactly the versions @opentelemetry/sdk-node depends on', () => {
    const sdkNode = json(sdkNodeJson);
    expect(registerDeps['@opentelemetry/sdk-node']).toBe(sdkNode.version);
    for (const name of otelDeps) expect([name, registerDeps[name]]).toEqual([name, sdkNode.dependencies[name]]);
  });

  it.each(otelDeps)('%s resolves to the very copy sdk-node uses', (name) => {
    expect(packageDir(fromRegister, name)).toBe(packageDir(fromSdkNode, name));
  });
});
