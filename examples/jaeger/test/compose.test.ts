/**
 * The Jaeger example's compose file, checked without Docker (this machine has
 * no engine): it parses and says what the README says.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const HERE = fileURLToPath(new URL('..', import.meta.url));
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  ports?: string[];
  environment?: Record<string, string>;
}

describe('examples/jaeger/compose.yaml', () => {
  it('runs Jaeger v2 all-in-one with OTLP 4317/4318 and the UI on 16686, published on loopback only', async () => {
    const compose = parse(await readFile(`${HERE}compose.yaml`, 'utf8')) as { services: Record<string, ComposeService> };
    const jaeger = compose.services.jaeger as ComposeService;
    expect(jaeger.image).toMatch(/^jaegertracing\/jaeger:2\.\d+\.\d+$/);
    expect(jaeger.ports).toEqual(['127.0.0.1:16686:16686', '127.0.0.1:4317:4317', '127.0.0.1:4318:4318']);
  });

  it('builds the example service from this repository and points it at Jaeger over OTLP/HTTP', async () => {
    const compose = parse(await readFile(`${HERE}compose.yaml`, 'utf8')) as { services: Record<string, ComposeService> };
    const app = compose.services['express-app'] as ComposeService;
    expect(app.environment).toMatchObject({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_TRACES_EXPORTER: 'otlp' });
    expect(app.ports?.every((p) => p.startsWith('127.0.0.1:'))).toBe(true);
    const build = app.build as { context: string; dockerfile: string };
    const context = fileURLToPath(new URL(`${build.context}/`, `file://${HERE}`));
    expect(context).toBe(ROOT);
    const dockerfile = await readFile(`${context}${build.dockerfile}`, 'utf8');
    // The CMD names a file that exists in the build context.
    const cmd = /^CMD \["node", "([^"]+)"\]$/m.exec(dockerfile)?.[1];
    expect(cmd).toBe('examples/jaeger/start-with-fake-vault.mjs');
    expect(existsSync(`${ROOT}${cmd}`)).toBe(true);
  });
});

