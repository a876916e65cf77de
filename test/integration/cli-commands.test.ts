import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, openFiles, tempDir, waitFor } from '../helpers/project.js';
import { runCli } from '../helpers/cli.js';
import { createProject, fixtureCommand, type Project } from '../helpers/daemon.js';
import { classify } from '../../plugins/health-http/response-time.js';

let project: Project | undefined;
afterEach(async () => {
  await project?.cleanup();
  project = undefined;
});

describe('zmart status', () => {
  it('shows running, backoff, failed and stopped services in text and JSON, exit 1 when not all are up', async () => {
    project = createProject(`{
      services: {
        api: { title: 'API Server', command: ${fixtureCommand()}, readyAfter: 100 },
        flappy: { title: 'Flappy', command: ${fixtureCommand('--exit-after', 30)}, readyAfter: 0, restart: { maxRestarts: 50, backoff: { initial: '1m' } } },
        broken: { title: 'Broken', command: ${fixtureCommand('--exit-after', 10, '--code', 7)}, restart: { maxRestarts: 0 } },
        idle: { title: 'Idle', command: ${fixtureCommand()}, readyAfter: 100 },
      },
    }`);
    await project.zmart(['start', '--wait', '3s']);
    await project.zmart(['stop', 'idle']);
    const status = await project.zmart(['status']);
    expect(status.code).toBe(1);
    expect(status.stdout).toContain('📊 QUICK STATUS');
    expect(status.stdout).toContain('✅ API Server: Running');
    expect(status.stdout).toContain('🔄 Flappy: Restarting after exit: exited with code 1');
    expect(status.stdout).toContain('❌ Broken: Failed after 0 restarts (last exit: code 7)');
    expect(status.stdout).toContain('⛔ Idle: Stopped');
    expect(status.stdout).toMatch(/✅ Monitoring: Active/);

    const json = await project.zmart(['status', '--json']);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.supervisor).toMatchObject({ running: true, pid: project.pid('monitor'), config: join(project.dir, 'zmart.config.ts'), version: '0.1.0' });
    // the daemon looks at processes the way this pass of the suite asked (CI runs it with each)
    expect(report.supervisor.processBackend).toBe(process.env.ZMART_PROC_BACKEND || 'linux');
    expect(report.services.map((s: { name: string; state: string }) => [s.name, s.state])).toEqual([
      ['api', 'running'],
      ['flappy', 'backoff'],
      ['broken', 'failed'],
      ['idle', 'stopped'],
    ]);
    const api = report.services[0];
    expect(api).toMatchObject({ title: 'API Server', health: null, pid: project.pid('api'), restarts: 0, lastRestart: null });
    expect(api.uptimeMs).toBeGreaterThan(0);
    expect(api.rssBytes).toBeGreaterThan(1_000_000);
    expect(report.services[1].lastRestart).toMatchObject({ kind: 'exit', detail: 'exited with code 1' });

    const detailed = await project.zmart(['status', '--detailed']);
    expect(detailed.stdout).toContain('📊 DETAILED SERVER STATUS');
    expect(detailed.stdout).toMatch(new RegExp(`Process: ${project.pid('api')} .*server\\.mjs`));
    expect(detailed.stdout).toMatch(/Restarts: 1 \(last: exit: exited with code 1, \d+(ms|s) ago\)/);

    const all = await project.zmart(['status', '--all']);
    expect(all.stdout).toMatch(/💻 SYSTEM RESOURCES[\s\S]*CPU: .*load[\s\S]*Memory: .* used of[\s\S]*Disk \(logs/);
    expect(all.stdout).toMatch(/📜 RECENT LOGS[\s\S]*Broken \(.*broken\.log\):\n.*zmart started pid/);
    expect(all.stdout).toMatch(/🔌 CONNECTIONS[\s\S]*API Server: listening on /);
    const resources = await project.zmart(['status', '--resources']);
    expect(resources.stdout).toMatch(/^💻 SYSTEM RESOURCES/);
    expect(resources.stdout).not.toContain('QUICK STATUS');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: it looks for terminal escape codes on purpose
    expect(all.stdout + status.stdout).not.toMatch(/\u001b\[/); // no escape codes in a pipe
  });

  it('exits 0 when all are up, and 3 with no supervisor', async () => {
    project = createProject(`{ services: { api: { command: ${fixtureCommand()}, readyAfter: 100 } } }`);
    expect((await project.zmart(['status'])).code).toBe(3);
    await project.zmart(['start']);
    expect((await project.zmart(['status'])).code).toBe(0);
  });
});

describe('zmart restart', () => {
  it('restarts a service with a new process and gives a failed service its budget back', async () => {
    project = createProject(`{
      services: {
        api: { command: ${fixtureCommand()}, readyAfter: 100 },
        // up after 100 ms, gone 1.2 s after its start: status, right after the restart returns, reads it running
        once: { command: ${fixtureCommand('--exit-after', 1200)}, readyAfter: 100, restart: { maxRestarts: 0 } },
      },
    }`);
    await project.zmart(['start']);
    const api = project.pid('api')!;
    const restarted = await project.zmart(['restart', 'api']);
    expect(restarted.code).toBe(0);
    expect(restarted.stdout).toMatch(/✔ api restarted/);
    expect(project.pid('api')).not.toBe(api);
    expect(isAlive(api)).toBe(false);

    await waitFor(async () => JSON.parse((await project!.zmart(['status', '--json'])).stdout).services[1].state === 'failed', 'once to fail');
    const again = await project.zmart(['restart', 'once']);
    expect(again.code).toBe(0);
    const report = JSON.parse((await project.zmart(['status', '--json'])).stdout);
    expect(report.services[1]).toMatchObject({ state: 'running', lastRestart: { kind: 'manual' } });

    expect((await project.zmart(['restart', 'nope'])).code).toBe(2);
  });

  it('exits 3 when no supervisor runs', async () => {
    project = createProject(`{ services: { api: { command: ${fixtureCommand()}, readyAfter: 100 } } }`);
    const result = await project.zmart(['restart']);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/no supervisor is running/);
  });
});

describe('zmart reload', () => {
  it('starts added services, stops removed ones, restarts changed ones and leaves the rest alone', async () => {
    project = createProject(`{
      services: {
        keep: { command: ${fixtureCommand()}, readyAfter: 100 },
        change: { command: ${fixtureCommand()}, readyAfter: 100, env: { LEVEL: 'info' } },
        remove: { command: ${fixtureCommand()}, readyAfter: 100 },
      },
    }`);
    await project.zmart(['start']);
    const [keep, change, remove] = [project.pid('keep')!, project.pid('change')!, project.pid('remove')!];
    project.writeConfig(`{
      services: {
        keep: { command: ${fixtureCommand()}, readyAfter: 100 },
        change: { command: ${fixtureCommand()}, readyAfter: 100, env: { LEVEL: 'debug' } },
        add: { command: ${fixtureCommand()}, readyAfter: 100 },
      },
    }`);
    const result = await project.zmart(['reload']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/added: add\n\s+removed: remove\n\s+changed \(restarted\): change\n\s+updated \(kept running\): -\n\s+unchanged: keep/);
    expect(project.pid('keep')).toBe(keep);
    expect(isAlive(keep)).toBe(true);
    expect(project.pid('change')).not.toBe(change);
    expect(isAlive(change) || isAlive(remove)).toBe(false);
    expect(project.pid('remove')).toBeNull();
    expect(isAlive(project.pid('add')!)).toBe(true);
    const names = JSON.parse((await project.zmart(['status', '--json'])).stdout).services.map((s: { name: string }) => s.name);
    expect(names).toEqual(['keep', 'change', 'add']);
  });

  it('refuses a bad new config with its error and leaves the fleet untouched; SIGHUP reloads too', async () => {
    project = createProject(`{ services: { api: { command: ${fixtureCommand()}, readyAfter: 100 } } }`);
    await project.zmart(['start']);
    const api = project.pid('api')!;
    project.writeConfig(`{ services: { api: { command: ${fixtureCommand()}, restart: { window: 'soon' } } } }`);
    const bad = await project.zmart(['reload']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/reload refused, the running fleet is unchanged:\n[\s\S]*services\.api\.restart\.window: expected a duration/);
    expect(project.pid('api')).toBe(api);
    expect(isAlive(api)).toBe(true);

    project.writeConfig(`{ services: { api: { command: ${fixtureCommand()}, readyAfter: 100 }, extra: { command: ${fixtureCommand()}, readyAfter: 100 } } }`);
    process.kill(project.pid('monitor')!, 'SIGHUP');
    await waitFor(() => project!.pid('extra'), 'SIGHUP to start the added service');
    expect(project.pid('api')).toBe(api);
  });
});

describe('zmart logs', () => {
  it('prints the last lines of a service, of all services with a prefix, and follows new lines', async () => {
    project = createProject(`{
      services: {
        api: { command: ${fixtureCommand('--lines', 30)} },
        web: { command: ${fixtureCommand('--print', 'web says hi')} },
      },
    }`);
    await project.zmart(['start']);
    await waitFor(() => readFileSync(join(project!.logDir, 'api.log'), 'utf8').includes('line 30'), 'api output');
    const api = await project.zmart(['logs', 'api', '-n', '3']);
    expect(api.code).toBe(0);
    expect(
      api.stdout
        .trimEnd()
        .split('\n')
        .map((l) => l.replace(/^\S+ /, '')),
    ).toEqual(['out line 28', 'out line 29', 'out line 30']);
    const both = await project.zmart(['logs', '-n', '1']);
    expect(both.stdout).toMatch(/^api +\| .* out line 30$/m);
    expect(both.stdout).toMatch(/^web +\| .* out web says hi$/m);
    expect((await project.zmart(['logs', 'nope'])).code).toBe(2);
    for (const name of ['__proto__', 'constructor', 'toString']) {
      const odd = await project.zmart(['logs', name]);
      expect(odd.code).toBe(2);
      expect(odd.stderr).toBe(`zmart: no service named '${name}' (services: api, web; zmart's own logs: zmart, startup, shutdown, monitor)\n`);
    }
    for (const n of ['abc', '-5']) {
      const bad = await project.zmart(['logs', 'api', '-n', n]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(new RegExp(`argument '${n}' is invalid. expected a whole number of lines`));
    }
    expect((await project.zmart(['logs', 'monitor'])).code).toBe(0);

    const follow = project.spawnZmart(['logs', 'api', '-f', '-n', '0']);
    await waitFor(() => openFiles(follow.child.pid!).some((f) => f.endsWith('/logs/api.log')), 'the follower to open the log');
    await project.zmart(['restart', 'api']);
    await waitFor(() => follow.output().includes('out line 30'), 'the followed lines');
    follow.child.kill('SIGINT');
    expect((await follow.exited).code).toBe(0);
  });
});

describe('zmart logs -f through rotations', () => {
  it('prints every line once while the log rotates under it', async () => {
    project = createProject(`{
      services: { api: { command: ${fixtureCommand('--tick', 5)} } },
      plugins: [(await import(${JSON.stringify(new URL('../../dist/plugins/log-rotate/index.js', import.meta.url).pathname)})).default({ maxSize: '4KB', keep: 100, compress: false })],
    }`);
    await project.zmart(['start']);
    const follow = project.spawnZmart(['logs', 'api', '-f', '-n', '0']);
    await waitFor(() => (follow.output().match(/out tick/g) ?? []).length >= 300, 'a few hundred ticks', 10_000);
    follow.child.kill('SIGINT');
    await follow.exited;
    const ticks = [...follow.output().matchAll(/out tick (\d+) /g)].map((m) => Number(m[1]));
    expect(ticks.length).toBeGreaterThanOrEqual(300);
    expect(ticks).toEqual(ticks.map((_, i) => ticks[0] + i)); // no gap, no repeat
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(project.logDir).filter((f) => f.startsWith('api.log.')).length).toBeGreaterThan(3);
  });

  it('follows 200,000 lines written at full speed across rotations, each once and in order', async () => {
    project = createProject(`{
      services: { api: { command: ${fixtureCommand('--flood', 200_000, '--flood-on-usr1')} } },
      plugins: [(await import(${JSON.stringify(new URL('../../dist/plugins/log-rotate/index.js', import.meta.url).pathname)})).default({ maxSize: '2MB', keep: 10, compress: true })],
    }`);
    await project.zmart(['start']);
    const follow = project.spawnZmart(['logs', 'api', '-f', '-n', '0']);
    await waitFor(() => openFiles(follow.child.pid!).some((f) => f.endsWith('/logs/api.log')), 'the follower to open the log');
    process.kill(project.pid('api')!, 'SIGUSR1');
    await waitFor(() => follow.output().includes('n 0200000'), 'the last line', 20_000);
    follow.child.kill('SIGINT');
    await follow.exited;
    const numbers = [...follow.output().matchAll(/ out n (\d{7})$/gm)].map((m) => Number(m[1]));
    const gaps = numbers.flatMap((n, i) => (i > 0 && n !== numbers[i - 1] + 1 ? [`${numbers[i - 1]}->${n}`] : [])).slice(0, 5);
    expect(gaps).toEqual([]);
    expect(numbers.length).toBe(200_000);
    expect(numbers.every((n, i) => n === i + 1)).toBe(true);
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(project.logDir).filter((f) => f.startsWith('api.log.')).length).toBeGreaterThanOrEqual(3);
  }, 30_000);
});

describe('zmart init', () => {
  it('writes a commented config that loads, and refuses to overwrite one', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const first = await runCli(['init'], { cwd: dir });
      expect(first.code).toBe(0);
      const text = readFileSync(join(dir, 'zmart.config.ts'), 'utf8');
      expect(text).toContain("import { defineConfig } from 'zmart'");
      expect(text).toMatch(/\/\/ /);
      // it shows health, ready and envFile, and what it writes loads as it is
      expect(text).toMatch(/ health: \{ path: '\/health'/);
      expect(text).toMatch(/\/\/ ready: \{ logLine:/);
      expect(text).toMatch(/\/\/ envFile: '\.env'/);
      const { loadConfig } = await import('../../core/config/load.js');
      const { builtinPlugins } = await import('../../cli/builtins.js');
      await expect(loadConfig({ configPath: join(dir, 'zmart.config.ts'), builtins: builtinPlugins })).resolves.toBeTruthy();
      const again = await runCli(['init'], { cwd: dir });
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/already exists; not overwritten/);
      expect(readFileSync(join(dir, 'zmart.config.ts'), 'utf8')).toBe(text);
      // it is a valid config: status reads it (and finds no supervisor)
      expect((await runCli(['status'], { cwd: dir, env: { ZMART_HOME: join(dir, 'home') } })).code).toBe(3);
      expect(existsSync(join(dir, 'server_pids'))).toBe(false);
    } finally {
      cleanup();
    }
  });
});

describe('the built-in plugins, through the command (no plugins key: they run with their defaults)', () => {
  it('probes health over HTTP and shows it with response times', async () => {
    const { freePort } = await import('../helpers/project.js');
    const port = await freePort();
    project = createProject(`{
      services: { api: { title: 'API Server', command: ${fixtureCommand('--port', port)}, port: ${port}, health: { path: '/health', interval: '200ms' } } },
    }`);
    const start = await project.zmart(['start']);
    expect(start.code, start.stdout + start.stderr).toBe(0);
    expect(start.stdout).toMatch(/✔ api +running & healthy +pid \d+/);
    await waitFor(async () => (await project!.zmart(['status', '--detailed'])).stdout.includes('p95'), 'a few probes');
    const status = await project.zmart(['status']);
    expect(status).toMatchObject({ code: 0 });
    expect(status.stdout).toContain('✅ API Server: Running & Healthy');
    const detailed = await project.zmart(['status', '--detailed']);
    // the class follows the time (a probe on a loaded machine may take 100 ms: 'good', not 'excellent')
    expect(detailed.stdout).toMatch(/Health: ✅ Healthy \(health-http\)\n\s+Response Time: \d+ms \((excellent|good|warning|critical); p50 \d+ms, p95 \d+ms\)/);
    const json = JSON.parse((await project.zmart(['status', '--json'])).stdout);
    expect(json.services[0]).toMatchObject({ health: 'healthy', ready: true, metrics: { lastProbeStatus: 200 } });
    const ms: number = json.services[0].responseTimeMs;
    expect(ms).toBeGreaterThan(0);
    // (the time is rounded to 0.1 ms; the class was taken from the exact one)
    expect([classify(ms - 0.05), classify(ms + 0.05)]).toContain(json.services[0].metrics.responseClass);
  });

  it('refuses to start a service over a stranger holding its port, naming it, exit 1', async () => {
    const { freePort, FIXTURE, killAll } = await import('../helpers/project.js');
    const { spawn } = await import('node:child_process');
    const port = await freePort();
    const stranger = spawn(process.execPath, [FIXTURE, '--port', String(port)], { detached: true, stdio: 'ignore' });
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/`).catch(() => null))?.ok, 'the stranger');
      project = createProject(`{ services: { api: { title: 'API Server', command: ${fixtureCommand('--port', port)}, port: ${port} } } }`);
      const start = await project.zmart(['start']);
      expect(start.code).toBe(1);
      expect(start.stdout).toMatch(new RegExp(`✖ api +Failed: port ${port} is taken by pid ${stranger.pid} \\(`));
      expect(isAlive(stranger.pid!)).toBe(true);
    } finally {
      killAll([stranger.pid!]);
    }
  });
});
