import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinPlugins } from '../../cli/builtins.js';
import { loadConfig } from '../../core/config/load.js';
import { tempDir } from '../helpers/project.js';

/**
 * Every configuration the README and docs/plugins.md show must load as written: whole
 * configs as files, and the per-service and plugin fragments placed where they belong.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const blocks = (file: string) => [...readFileSync(join(ROOT, file), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

const { dir, cleanup } = tempDir();
afterAll(cleanup);
let n = 0;

async function load(source: string, files: Record<string, string> = {}) {
  const project = join(dir, `p${n++}`);
  for (const folder of ['backend/zmart-api/venv/bin', 'plugins']) mkdirSync(join(project, folder), { recursive: true });
  writeFileSync(join(project, 'backend/zmart-api/.env'), 'LOG_FORMAT=json\n'); // the README's envFile
  for (const [name, text] of Object.entries(files)) writeFileSync(join(project, name), text);
  writeFileSync(join(project, 'zmart.config.ts'), source);
  return loadConfig({ configPath: join(project, 'zmart.config.ts'), builtins: builtinPlugins });
}

/** A fragment shown on its own (`health: {...}`, `alerts({...})`) inside a config that holds it. */
function around(fragment: string): string {
  const plugin = /^(\w+)\(/.exec(fragment.trim());
  if (plugin) {
    return `import ${plugin[1]} from 'zmart/plugins/${plugin[1].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}';\nimport { defineConfig } from 'zmart';\nexport default defineConfig({ services: { api: { command: 'x' } }, plugins: [${fragment}] });\n`;
  }
  return `import { defineConfig } from 'zmart';\nexport default defineConfig({ services: { api: { command: 'x', port: 8000, ${fragment} } } });\n`;
}

describe('the configurations the docs show', () => {
  const readme = blocks('README.md');
  const docs = blocks('docs/plugins.md');

  it('finds them', () => {
    expect(readme.length).toBeGreaterThanOrEqual(4);
    expect(docs.length).toBeGreaterThanOrEqual(2);
  });

  it.each(readme.map((b, i) => [i, b] as const))('README block %i loads', async (_, block) => {
    const config = await load(block.includes('defineConfig(') ? block : around(block));
    expect(config.services.length).toBeGreaterThan(0);
  });

  it('docs/plugins.md: the heartbeat plugin and the config that loads it', async () => {
    const plugin = docs.find((b) => b.includes("name: 'heartbeat'"))!;
    const config = docs.find((b) => b.includes("import heartbeat from './plugins/heartbeat.js'"))!;
    const loaded = await load(`import { defineConfig } from 'zmart';\n${config}`, { 'plugins/heartbeat.ts': plugin });
    expect(loaded.plugins.map((p) => p.name)).toEqual(['health-http', 'port-guard', 'memory-guard', 'log-rotate', 'alerts', 'watch', 'heartbeat']);
  });

  it("takes health-http's interval and timeout, as DESIGN.md writes them", async () => {
    const config = await load(around("healthHttp({ interval: '30s', timeout: '10s' })"));
    expect(config.plugins[0].given).toMatchObject({ interval: 30_000, timeout: 10_000 });
  });
});
