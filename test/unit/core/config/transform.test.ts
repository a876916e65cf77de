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

  it.each([
    ['import.meta, which a CommonJS wrapper cannot hold', { source: 'export default { dir: import.meta.dirname };', ts: true }],
    ['a syntax error, for babel to name its line and column', { source: 'export default { services: {', ts: true }],
    ['JSX', { source: 'export default <div/>;', ts: true, jsx: true }],
  ])('hands %s to babel', (_what, options) => {
    const { asked, factory } = babelSpy();
    expect(configTransform(factory)(options).code).toBe('exports.default = "babel";');
    expect(asked).toEqual([options.source]);
  });
});
