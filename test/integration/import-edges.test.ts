import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinPlugins } from '../../cli/builtins.js';
import { deployedFleet } from '../../cli/fleet-model/from-config.js';
import type { DeployedService } from '../../cli/fleet-model/model.js';
import { loadConfig } from '../../core/config/load.js';
import { afterEachTest, runCli } from '../helpers/cli.js';
import { FIXTURE, tempDir } from '../helpers/project.js';

const state = afterEachTest(afterEach);
const folder = () => {
  const { dir, cleanup } = tempDir();
  state.cleanups.push(cleanup);
  return dir;
};
const load = async (file: string) => deployedFleet(await loadConfig({ configPath: file, builtins: builtinPlugins, env: {} }));

/** What a Compose round trip must keep of a service: what runs, with what, checked how, in which order, stopped how. */
const kept = (s: DeployedService) => ({
  name: s.name,
  command: Array.isArray(s.command) ? s.command : ['/bin/sh', '-c', s.command],
  env: { ...s.env.plain, ...s.env.secret },
  port: s.port,
  health: s.health && {
    probe: s.health.probe,
    intervalMs: s.health.intervalMs,
    timeoutMs: s.health.timeoutMs,
    failures: s.health.failureThreshold,
    startPeriodMs: s.health.startPeriodMs,
  },
  dependsOn: s.dependsOn,
  stop: { signal: s.stop.signal, timeoutMs: s.stop.timeoutMs },
  policy: s.restart.policy,
  memory: s.memoryMaxBytes,
});

describe('zmart import: the round trip and the bad day', () => {
  it('Compose: import of export gives back the same services, commands, env, checks, order and stops', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'api.env'), "API_TOKEN='t0k$x'\nDB_PASSWORD=\"it's \\\\ $HOME\"\n");
    writeFileSync(
      join(dir, 'zmart.config.ts'),
      `import { defineConfig } from 'zmart';
export default defineConfig({
  services: {
    api: {
      command: 'exec node ${FIXTURE} --print "price $5 & 100%"', port: 18080, envFile: 'api.env',
      env: { PRICE: '$5 & 100%', QUOTES: ${JSON.stringify(`"a" 'b' \\ $(x) \${Y}`)}, WORKER_URL: 'http://127.0.0.1:18081/jobs' },
      health: { path: '/health', interval: '2s', timeout: '1s', failureThreshold: 2, startPeriod: '5s' },
      memory: { maxRss: '256MB' },
    },
    worker: {
      command: ['sh', '-c', 'echo "$HOME"; sleep 1'], port: 18081,
      dependsOn: { api: 'healthy' }, health: { tcp: true, interval: '3s' },
      stop: { signal: 'SIGINT', timeout: '3s' }, restart: { policy: 'on-failure', maxRestarts: 4 },
    },
    cron: { command: ['sh', '-c', 'true'], health: { exec: ['test', '-f', 'x y'], timeout: '2s' }, restart: { policy: 'never' }, dependsOn: ['worker'] },
  },
});
`,
    );
    const exported = await runCli(['export', 'compose', '--out', 'exp'], { cwd: dir });
    expect(exported.code, exported.stdout + exported.stderr).toBe(0);
    const imported = await runCli(['import', 'exp/docker-compose.yml', '--out', 'back/zmart.config.ts'], { cwd: dir });
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
    const [before, after] = [await load(join(dir, 'zmart.config.ts')), await load(join(dir, 'back/zmart.config.ts'))];
    expect(after.services.map(kept)).toEqual(before.services.map(kept));
    // the secret with a quote went inline, and so the Compose file is owner-only
    expect(exported.stdout).toMatch(/docker-compose.yml \(owner-only/);
  });

  it('refuses what it cannot read, in one line and exit 2, writing nothing: unknown, malformed, special files, a $5, a file that never loads', async () => {
    const dir = folder();
    const refused = async (args: string[], pattern: RegExp, env: Record<string, string> = {}) => {
      const result = await runCli(['import', ...args], { cwd: dir, env });
      expect(result.code, result.stdout + result.stderr).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(pattern);
      expect(existsSync(join(dir, 'zmart.config.ts'))).toBe(false);
    };
    writeFileSync(join(dir, 'notes.txt'), 'hello\n');
    await refused(['notes.txt'], /cannot tell what it is/);
    writeFileSync(join(dir, 'docker-compose.yml'), 'services:\n  web:\n    command: [a, b\n');
    await refused(['docker-compose.yml'], /docker-compose\.yml:\d+: /);
    writeFileSync(join(dir, 'docker-compose.yml'), 'services:\n  web:\n    command: echo $5\n');
    await refused(['docker-compose.yml'], /invalid interpolation format .* \$\$/);
    writeFileSync(join(dir, 'supervisord.conf'), '[program:web]\ndirectory=/tmp\n');
    await refused(['supervisord.conf'], /supervisord\.conf:1 \[program:web\]: no command/);
    writeFileSync(join(dir, 'supervisord.conf'), '[program:web]\ncommand=run "unclosed\n');
    await refused(['supervisord.conf'], /command: no closing quotation/);
    await refused(['/dev/zero'], /not a regular file/);
    execFileSync('mkfifo', [join(dir, 'Procfile')]);
    await refused(['Procfile'], /Procfile is not a regular file \(a FIFO\)/);
    writeFileSync(join(dir, 'ecosystem.config.js'), 'while (true) {}\n');
    await refused(['ecosystem.config.js'], /did not finish loading within 1s/, { ZMART_CONFIG_TIMEOUT: '1' });
    writeFileSync(join(dir, 'ecosystem.config.js'), 'module.exports = { apps: [ { name: "x" } ] };\n');
    await refused(['ecosystem.config.js'], /apps\[0\] \(x\): no script/);
  });

  it('never replaces a config without --force', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'Procfile'), 'web: sleep 1000\n');
    writeFileSync(join(dir, 'zmart.config.ts'), '// mine\n');
    const refused = await runCli(['import', 'Procfile'], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/zmart\.config\.ts exists: pass --force/);
    expect(readFileSync(join(dir, 'zmart.config.ts'), 'utf8')).toBe('// mine\n');
    const forced = await runCli(['import', 'Procfile', '--force'], { cwd: dir, env: { PORT: '18500' } });
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(join(dir, 'zmart.config.ts'), 'utf8')).toContain('command: "sleep 1000"');
  });

  it("writes hostile names and values so that the config reads them back exactly (200 values through zmart's own loader)", async () => {
    const dir = folder();
    const hostile = fc.string({ unit: fc.constantFrom('*/', '/*', '//', '\u2028', '\u2029', '\n', '\r', '"', "'", '`', '${', '\\', '\x1b[2J', 'é', ' ', 'a') });
    const values = fc.sample(hostile, { numRuns: 200, seed: 26 });
    const env = Object.fromEntries(values.map((v, i) => [`V${i}`, v]));
    const apps = [
      { name: 'we\nb */ evil()', script: 'a.js', env },
      { name: 'monitor', script: '/bin/true' },
      { name: 'x\u2028y', script: '/bin/true', args: ['--a=1', "it's"] },
    ];
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'ecosystem.config.json'), JSON.stringify({ apps }));
    const result = await runCli(['import', 'src/ecosystem.config.json'], { cwd: dir });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    for (const raw of ['\nb */', '\u2028', '\x1b']) expect(result.stdout).not.toContain(raw); // nothing of a source's control characters reaches the terminal
    const fleet = await load(join(dir, 'zmart.config.ts'));
    expect(fleet.services.map((s) => s.name)).toEqual(['we-b-evil-', 'monitor-1', 'x-y']);
    const first = fleet.services[0]!;
    expect({ ...first.env.plain, ...first.env.secret }).toEqual(env);
    expect(first.command).toEqual(['node', 'a.js']);
    expect(first.cwd).toBe(join(dir, 'src'));
    expect(fleet.services[2]!.command).toEqual(['/bin/true', '--a=1', "it's"]);
  });
});
