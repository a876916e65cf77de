import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, preloadConfigLoader } from '../../../../core/config/load.js';
import { tempDir } from '../../../helpers/project.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

describe('loadConfig', () => {
  it.each([
    ['sucrase', 'const port: number = 8123;'],
    ["babel (import.meta: sucrase's output cannot hold it)", 'const port: number = import.meta.dirname ? 8123 : 0;'],
  ])(
    'loads a TypeScript config through jiti and %s, then drops both from the module cache (again on a second load, with jiti required ahead)',
    async (_compiler, line) => {
      writeFileSync(join(dir, 'zmart.config.ts'), `${line}\nexport default { services: { api: { command: 'sleep 60', port } } };\n`);
      const jitiLoaded = () =>
        Object.keys(createRequire(import.meta.url).cache).filter((path) =>
          /\/node_modules\/(jiti|sucrase|@jridgewell|lines-and-columns|ts-interface-checker)\//.test(path),
        );
      const env = { ...process.env, ZMART_HOME: join(dir, 'home') };
      const saved = process.env.ZMART_HOME;
      process.env.ZMART_HOME = env.ZMART_HOME; // jiti's cache folder
      try {
        // sucrase and its dependencies in the cache already (another test file in this worker may
        // have loaded them): they go all the same
        createRequire(import.meta.url)('sucrase');
        for (let load = 0; load < 2; load += 1) {
          if (load === 1) preloadConfigLoader(); // as the supervisor does while it waits for its word
          const config = await loadConfig({ cwd: dir, env });
          expect(config.services.map((s) => [s.name, s.port])).toEqual([['api', 8123]]);
          expect(jitiLoaded()).toEqual([]);
        }
      } finally {
        if (saved === undefined) delete process.env.ZMART_HOME;
        else process.env.ZMART_HOME = saved;
      }
    },
  );

  it('loads a config whose own helper awaits at its top level (imported as an ES module would be)', async () => {
    writeFileSync(join(dir, 'ports.ts'), 'export const port: number = await Promise.resolve(8124);\n');
    writeFileSync(join(dir, 'zmart.config.ts'), "import { port } from './ports.ts';\nexport default { services: { api: { command: 'sleep 60', port } } };\n");
    const config = await loadConfig({ cwd: dir, env: { ...process.env, ZMART_HOME: join(dir, 'home') } });
    expect(config.services.map((s) => [s.name, s.port])).toEqual([['api', 8124]]);
  });
});
