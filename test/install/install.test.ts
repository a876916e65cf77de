import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, isAlive, tempDir } from '../helpers/project.js';

const ROOT = resolve(import.meta.dirname, '../..');
const temp = tempDir();
afterAll(async () => {
  // whatever happened, the fleet the test started is stopped (and the folder goes)
  run(['stop']);
  temp.cleanup();
});
const prefix = join(temp.dir, 'prefix');
const project = join(temp.dir, 'project');
const env = { ...process.env, PATH: `${join(prefix, 'bin')}:${process.env.PATH}`, NO_COLOR: '1' };

/** The installed `zmart`, found on PATH as a user's shell finds it, run in the project folder. */
function run(args: string[]) {
  return spawnSync('zmart', args, { cwd: project, env, encoding: 'utf8', timeout: 60_000 });
}

describe('the package as npm installs it', () => {
  it('npm pack, npm install -g into a prefix: zmart runs init, start, status, stop from a folder of its own', async () => {
    // the package as it would be published: what `files` takes of the built tree
    const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', temp.dir], { cwd: ROOT, encoding: 'utf8' });
    expect(pack.status, pack.stderr).toBe(0);
    const [packed] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = packed!.files.map((f) => f.path);
    for (const needed of [
      'dist/bin/zmart.cjs',
      'dist/bin/daemon.js',
      'dist/core/index.js',
      'dist/core/testing/index.js',
      'dist/plugins/metrics/index.js',
      'README.md',
    ]) {
      expect(files, needed).toContain(needed);
    }
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('bench/'))).toEqual([]);
    const install = spawnSync('npm', ['install', '-g', '--prefix', prefix, join(temp.dir, packed!.filename), '--prefer-offline', '--no-audit', '--no-fund'], {
      encoding: 'utf8',
      timeout: 110_000,
    });
    expect(install.status, install.stderr).toBe(0);

    // a folder of its own, with no node_modules anywhere above it
    spawnSync('mkdir', ['-p', project]);
    expect(run(['--version']).stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    const init = run(['init']);
    expect(init.status, init.stderr).toBe(0);
    expect(readFileSync(join(project, 'zmart.config.ts'), 'utf8')).toContain("import { defineConfig } from 'zmart';");
    // the config imports zmart and one of its plugins: the loader resolves both to this install
    const [port, metricsPort] = [await freePort(), await freePort()];
    writeFileSync(
      join(project, 'zmart.config.ts'),
      `import { defineConfig } from 'zmart';
import metrics from 'zmart/plugins/metrics';
export default defineConfig({
  services: { web: { command: [${JSON.stringify(process.execPath)}, '-e', "require('http').createServer((q, s) => s.end('ok')).listen(process.env.PORT, '127.0.0.1')"], port: ${port}, health: { path: '/' } } },
  plugins: [metrics({ listen: '127.0.0.1:${metricsPort}' })],
});
`,
    );
    const start = run(['start']);
    expect(start.status, start.stdout + start.stderr).toBe(0);
    const status = JSON.parse(run(['status', '--json']).stdout) as { services: Array<{ name: string; state: string; health: string; pid: number }> };
    expect(status.services).toMatchObject([{ name: 'web', state: 'running', health: 'healthy' }]);
    const scraped = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(scraped).toContain('zmart_service_up{service="web"} 1');
    const stop = run(['stop']);
    expect(stop.status, stop.stderr).toBe(0);
    expect(isAlive(status.services[0]!.pid)).toBe(false);
    expect(existsSync(join(project, 'server_pids', 'web.pid'))).toBe(false);

    // zmart/testing is in the package: a user's plugin tests import it from the install
    const testing = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', "const { createPluginHarness } = await import('zmart/testing'); console.log(typeof createPluginHarness);"],
      { cwd: join(prefix, 'lib'), env, encoding: 'utf8' },
    );
    expect(testing.stdout.trim(), testing.stderr).toBe('function');
  });
});
