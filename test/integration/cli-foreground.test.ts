import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { afterEachTest, runCli, startCli } from '../helpers/cli.js';
import { FIXTURE, freePort, isAlive, tempDir, waitFor } from '../helpers/project.js';

const { running, pids, cleanups } = afterEachTest(afterEach);

async function project(): Promise<{ dir: string; apiPort: number; webPort: number }> {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const [apiPort, webPort] = [await freePort(), await freePort()];
  writeFileSync(
    join(dir, 'zmart.config.ts'),
    `import { defineConfig } from 'zmart';
export default defineConfig({
  services: {
    api: { title: 'API Server', command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(FIXTURE)}], port: ${apiPort}, readyAfter: 100,
           env: { API_KEY: 'sk-live-abcdef123456' } },
    web: { command: ${JSON.stringify(`"${process.execPath}" "${FIXTURE}" --print "key=$API_KEY"`)}, port: ${webPort}, readyAfter: 100,
           env: { API_KEY: 'sk-live-abcdef123456' }, dependsOn: { api: 'started' } },
  },
});
`,
  );
  return { dir, apiPort, webPort };
}

const pidOf = (dir: string, name: string) => Number(readFileSync(join(dir, 'server_pids', `${name}.pid`), 'utf8'));

describe('zmart start --foreground', () => {
  it('starts the fleet, writes pid files, and on SIGTERM stops everything, removes them and exits 0', async () => {
    const { dir, apiPort } = await project();
    const cli = startCli(['start', '--foreground'], { cwd: dir });
    running.push(cli);
    await waitFor(() => cli.output().includes('2/2 up'), 'the fleet to come up');
    expect(cli.output()).toMatch(/✔ api +up +pid \d+/);
    expect(cli.output()).toMatch(/✔ web +up +pid \d+/);

    const [api, web] = [pidOf(dir, 'api'), pidOf(dir, 'web')];
    pids.push(api, web);
    expect(readFileSync(join(dir, 'server_pids', 'monitor.pid'), 'utf8')).toBe(`${cli.child.pid}\n`);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${apiPort}/`).catch(() => null))?.ok, 'the api to answer');

    cli.child.kill('SIGTERM');
    const result = await cli.exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/SIGTERM received: stopping/);
    expect(isAlive(api) || isAlive(web)).toBe(false);
    expect(existsSync(join(dir, 'server_pids', 'api.pid'))).toBe(false);
    expect(existsSync(join(dir, 'server_pids', 'monitor.pid'))).toBe(false);
  });

  it('writes owner-only logs, timestamps every line, and never writes a secret value', async () => {
    const { dir } = await project();
    const cli = startCli(['start', '--foreground'], { cwd: dir, env: { DB_PASSWORD: 'hunter2-very-secret' } });
    running.push(cli);
    await waitFor(() => cli.output().includes('2/2 up'), 'the fleet to come up');
    await waitFor(() => existsSync(join(dir, 'logs/web.log')) && readFileSync(join(dir, 'logs/web.log'), 'utf8').includes(' out key='), 'web output');
    cli.child.kill('SIGINT');
    expect((await cli.exited).code).toBe(0);

    for (const file of ['zmart.log', 'server_startup.log', 'server_shutdown.log', 'server_monitor.log', 'api.log', 'web.log']) {
      const path = join(dir, 'logs', file);
      const { mode } = await import('node:fs').then((fs) => fs.statSync(path));
      expect(mode & 0o077, file).toBe(0);
      const text = readFileSync(path, 'utf8');
      expect(text).not.toContain('sk-live-abcdef123456');
      expect(text).not.toContain('hunter2-very-secret');
      for (const line of text.trimEnd().split('\n').filter(Boolean)) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /);
    }
    expect(readFileSync(join(dir, 'logs/web.log'), 'utf8')).toMatch(/Z out key=\[redacted\]\n/);
  });

  it('says so and changes nothing when the fleet is already supervised', async () => {
    const { dir } = await project();
    const first = startCli(['start', '--foreground'], { cwd: dir });
    running.push(first);
    await waitFor(() => first.output().includes('2/2 up'), 'the first supervisor');
    const api = pidOf(dir, 'api');

    const second = await runCli(['start', '--foreground'], { cwd: dir });
    expect(second.code).toBe(1); // a system unit reads 0 as a clean exit
    expect(second.stderr).toMatch(/zmart is already running for .* \(pid \d+\)/);
    expect(pidOf(dir, 'api')).toBe(api);
    expect(isAlive(api)).toBe(true);
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
  });

  it('lets exactly one of eight simultaneous starts supervise; the others exit 1 naming it', async () => {
    const { dir } = await project();
    const starts = Array.from({ length: 8 }, () => startCli(['start', '--foreground'], { cwd: dir }));
    running.push(...starts);
    const winner = await waitFor(() => starts.find((s) => s.output().includes('2/2 up')), 'one supervisor to be up');
    const losers = await Promise.all(starts.filter((s) => s !== winner).map((s) => s.exited));
    for (const loser of losers) {
      expect(loser.code).toBe(1);
      expect(loser.stderr).toMatch(new RegExp(`zmart is already running for .* \\(pid ${winner.child.pid}\\)`));
    }
    // one copy of each service: every api process the losers might have started is gone, the winner's runs
    expect(readFileSync(join(dir, 'server_pids', 'monitor.pid'), 'utf8')).toBe(`${winner.child.pid}\n`);
    expect(isAlive(pidOf(dir, 'api'))).toBe(true);
    const spawned = readFileSync(join(dir, 'logs', 'server_startup.log'), 'utf8').match(/api: started pid/g);
    expect(spawned).toHaveLength(1);
    winner.child.kill('SIGTERM');
    expect((await winner.exited).code).toBe(0);
  });

  it('keeps running and stops on SIGTERM when a pid file cannot be written', async () => {
    const { dir } = await project();
    mkdirSync(join(dir, 'server_pids', 'api.state.json'), { recursive: true }); // a folder where a file goes
    const cli = startCli(['start', '--foreground'], { cwd: dir });
    running.push(cli);
    await waitFor(() => cli.output().includes('2/2 up'), 'the fleet');
    expect(readFileSync(join(dir, 'logs', 'server_monitor.log'), 'utf8')).toMatch(/could not write the pid file of api: .*EISDIR/);
    cli.child.kill('SIGTERM');
    expect((await cli.exited).code).toBe(0);
  });

  it('applies the seed environment variables as overrides (API_PORT, PID_DIR)', async () => {
    const { dir } = await project();
    const port = await freePort();
    const cli = startCli(['start', '--foreground'], { cwd: dir, env: { API_PORT: String(port), PID_DIR: 'run' } });
    running.push(cli);
    await waitFor(() => cli.output().includes('2/2 up'), 'the fleet');
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/`).catch(() => null))?.ok, `the api on port ${port}`);
    expect(existsSync(join(dir, 'run', 'api.pid'))).toBe(true);
    cli.child.kill('SIGTERM');
    expect((await cli.exited).code).toBe(0);
  });
});

describe('the zmart command line', () => {
  it('prints its version and help with exit 0, and rejects unknown commands and flags with exit 2 and a hint', async () => {
    const cwd = process.cwd();
    const version = await runCli(['--version'], { cwd });
    expect(version).toMatchObject({ code: 0 });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(await runCli(['--help'], { cwd })).toMatchObject({ code: 0, stdout: expect.stringContaining('start') });
    const unknown = await runCli(['strat'], { cwd });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'strat'[\s\S]*Did you mean start\?/);
    const flag = await runCli(['start', '--forground'], { cwd });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/unknown option '--forground'[\s\S]*--foreground/);
  });

  it('answers status options the short path does not take (help, a typo, a stray word) through the full parser', async () => {
    const cwd = process.cwd();
    expect(await runCli(['status', '--help'], { cwd })).toMatchObject({ code: 0, stdout: expect.stringContaining('--detailed') });
    const typo = await runCli(['status', '--detailled'], { cwd });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown option '--detailled'[\s\S]*--detailed/);
    expect((await runCli(['status', 'api'], { cwd })).code).toBe(2);
    const missing = await runCli(['status', '-c'], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/argument missing/);
  });
});
