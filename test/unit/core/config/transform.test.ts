import type { Jiti } from 'jiti';
import { describe, expect, it } from 'vitest';
import { configTransform } from '../../../../core/config/transform.js';

/** A stand-in for jiti's babel that says it was asked (the real one runs in load.test.ts). */
function babelSpy() {
  const asked: string[] = [];
  const transform = (options: { source: string }) => {
    asked.push(options.source);
    return 'exports.default = "babel";';
  };
  const factory = () => ({ transform }) as unknown as Jiti;
  return { asked, factory };
}

describe('configTransform', () => {
  it('strips types and turns imports into require() with sucrase, without loading babel (unused imports go, as with babel and tsc)', () => {
    const { asked, factory } = babelSpy();
    const source = [
      "import { defineConfig, type Config } from 'zmart';",
      "import health from 'zmart/plugins/health-http';",
      'enum Mode { Fast = 1 }',
      'const wait: number = await Promise.resolve(Mode.Fast);',
      'export default defineConfig({ services: {}, plugins: [health()] } satisfies Partial<Config>);',
    ].join('\n');
    const { code } = configTransform(factory)({ source, filename: '/x/zmart.config.ts', ts: true, async: true });
    expect(asked).toEqual([]);
    expect(code).toContain("require('zmart')");
    expect(code).toContain("require('zmart/plugins/health-http')");
    expect(code).toContain('await Promise.resolve');
    expect(code).not.toMatch(/: number|satisfies|type Config/);
  });

  it('leaves syntax Node 20 runs as written (no helpers for ?. or ??)', () => {
    const { code } = configTransform(babelSpy().factory)({ source: 'export const a = globalThis.x?.y ?? 1;', ts: true });
    expect(code).toContain('globalThis.x?.y ?? 1');
  });

  it('keeps what asks only for zmart and Node modules, imported or imported dynamically', () => {
    const { asked, factory } = babelSpy();
    const source = [
      "import { join } from 'node:path';",
      "import { readFileSync } from 'fs';",
      "import { defineConfig } from 'zmart';",
      "const rotate = (await import('zmart/plugins/log-rotate')).default;",
      'export default defineConfig({ services: {}, plugins: [rotate()], x: join(String(readFileSync)) });',
    ].join('\n');
    expect(configTransform(factory)({ source, ts: true, async: true }).code).toContain("require('zmart/plugins/log-rotate')");
    expect(asked).toEqual([]);
  });

  it.each([
    ['import.meta, which a CommonJS wrapper cannot hold', { source: 'export default { dir: import.meta.dirname };', ts: true }],
    ['a syntax error, for babel to name its line and column', { source: 'export default { services: {', ts: true }],
    ['JSX', { source: 'export default <div/>;', ts: true, jsx: true }],
    [
      'a file importing its own helper (babel imports it as before: a top-level await there still works)',
      { source: "import { port } from './ports.ts';\nexport default { services: { api: { command: 'x', port } } };", ts: true },
    ],
    ['a file importing a package (loaded natively by babel, not transpiled)', { source: "import dotenv from 'dotenv';\nexport default dotenv;", ts: true }],
    ['a require() of a computed name', { source: "const name = 'zmart';\nexport default require(name);", ts: true }],
  ])('hands %s to babel', (_what, options) => {
    const { asked, factory } = babelSpy();
    expect(configTransform(factory)(options).code).toBe('exports.default = "babel";');
    expect(asked).toEqual([options.source]);
  });
});
