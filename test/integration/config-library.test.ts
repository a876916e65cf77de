import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/project.js';

// What a config imports of zmart is the running zmart, not a copy jiti transpiled: sucrase
// turns imports into require() calls, which jiti answers from the loader's virtual modules.
const CONFIG = `import * as zmart from 'zmart';
import healthHttp from 'zmart/plugins/health-http';
const seen = globalThis as { seenByConfig?: unknown };
seen.seenByConfig = { defineConfig: zmart.defineConfig, healthHttp };
export default zmart.defineConfig({ services: { api: { command: 'sleep 60' } }, plugins: [healthHttp({})] });
`;

const DIST = resolve(import.meta.dirname, '../../dist');
let cleanup = () => {};
afterEach(() => cleanup());

function project(): string {
  const made = tempDir();
  cleanup = made.cleanup;
  writeFileSync(join(made.dir, 'zmart.config.ts'), CONFIG);
  return made.dir;
}

describe('the library a config imports', () => {
  it('is the copy the loading process runs (tsc output in dist/)', () => {
    const dir = project();
    const script = `
      const { loadConfig } = await import(${JSON.stringify(join(DIST, 'core/config/load.js'))});
      const zmart = await import(${JSON.stringify(join(DIST, 'core/index.js'))});
      const health = await import(${JSON.stringify(join(DIST, 'plugins/health-http/index.js'))});
      await loadConfig({ configPath: ${JSON.stringify(join(dir, 'zmart.config.ts'))} });
      const seen = globalThis.seenByConfig;
      console.log(JSON.stringify({ core: seen.defineConfig === zmart.defineConfig, plugin: seen.healthHttp === health.default }));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, ZMART_HOME: join(dir, 'home') },
      timeout: 10_000,
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ core: true, plugin: true });
  });

  it('is not transpiled by the bundled command: only the config lands in the transform cache', async () => {
    const dir = project();
    const result = await runCli(['export', 'compose', '--config', join(dir, 'zmart.config.ts'), '--out', join(dir, 'out')], {
      cwd: dir,
      env: { ZMART_HOME: join(dir, 'home') },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(readdirSync(join(dir, 'home/cache/jiti'))).toEqual([expect.stringMatching(/zmart\.config\.\w+\.mjs$/)]);
  });
});
