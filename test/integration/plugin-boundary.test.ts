import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../core/status/types.js';
import { createProject, fixtureCommand, type Project } from '../helpers/daemon.js';
import { freePort, isAlive, readText, waitFor } from '../helpers/project.js';

/**
 * The plugin boundary with real processes, through `zmart start/stop/reload`: plugins that
 * never answer (setup, supervisor:start, prestart, teardown), hog the loop, or throw, and a
 * reload that changes only plugin options.
 */

let project: Project | undefined;
afterEach(async () => {
  await project?.cleanup();
  project = undefined;
});

/** A project whose config defines one plugin inline (`PLUGIN` is its definePlugin body) beside the services. */
function projectWith(plugin: string, services: string, extra = ''): Project {
  const p = createProject(`{ services: {} }`);
  writeConfig(p, plugin, services, extra);
  return p;
}

function writeConfig(p: Project, plugin: string, services: string, extra = ''): void {
  writeFileSync(
    join(p.dir, 'zmart.config.ts'),
    `import { defineConfig, definePlugin } from 'zmart';
const probe = definePlugin({ name: 'probe', defaults: {}, ${plugin} });
export default defineConfig({ services: ${services}, plugins: [probe()], ${extra} });
`,
  );
}

async function statusJson(p: Project): Promise<StatusReport> {
  const result = await p.zmart(['status', '--json']);
  return JSON.parse(result.stdout) as StatusReport;
}

const api = `{ api: { command: ${fixtureCommand()}, readyAfter: 100 } }`;

describe('deadlines on calls into plugins', () => {
  it('a prestart that never answers fails the service (kind plugin, naming the plugin); stop and SIGTERM stay quick', async () => {
    project = projectWith(
      `setup(ctx) { ctx.on('service:prestart', ({ service }) => (service === 'b' ? new Promise(() => undefined) : undefined)); }`,
      `{ a: { command: ${fixtureCommand()}, readyAfter: 100 }, b: { command: ${fixtureCommand()}, readyAfter: 100 } }`,
      `pluginTimeouts: { prestart: '1s' }`,
    );
    const start = await project.zmart(['start']);
    expect(start.code).toBe(1);
    expect(start.stdout).toMatch(/✔ a/);
    const report = await statusJson(project);
    const b = report.services.find((s) => s.name === 'b')!;
    expect(b.state).toBe('failed');
    expect(b.lastRestart).toMatchObject({ kind: 'plugin', by: 'probe' });
    expect(b.lastError).toContain('plugin probe did not finish service:prestart within 1s');
    expect(readText(join(project.logDir, 'server_monitor.log'))).toMatch(/ALERT plugin-timeout b: b: plugin probe did not finish service:prestart/);
    const t0 = Date.now();
    expect((await project.zmart(['stop'])).code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(8000);
  });

  it('an operator stop during a prestart that would wait a minute ends it at once', async () => {
    project = projectWith(`setup(ctx) { ctx.on('service:prestart', () => new Promise(() => undefined)); }`, api, `pluginTimeouts: { prestart: '60s' }`);
    const p = project;
    const start = p.spawnZmart(['start', '--wait', '30s']);
    await waitFor(async () => (await statusJson(p)).services[0]?.state === 'starting', 'api in starting', 10_000);
    const monitor = p.pid('monitor')!;
    process.kill(monitor, 'SIGTERM');
    await waitFor(() => !isAlive(monitor), 'the supervisor to end on SIGTERM', 5000);
    expect(readText(join(p.logDir, 'api.log'))).toContain('not started: stopped while plugins prepared its start');
    start.kill();
  });

  it('a setup that never answers is set aside: the fleet runs, status lists the plugin failed with why', async () => {
    project = projectWith(`setup() { return new Promise(() => undefined); }`, api, `pluginTimeouts: { setup: '1s' }`);
    const start = await project.zmart(['start']);
    expect(start.code).toBe(0);
    const report = await statusJson(project);
    expect(report.services[0]).toMatchObject({ state: 'running' });
    // the six built-ins run beside it (a plugins list adds to them)
    expect(report.plugins?.map((p) => `${p.name} ${p.state}`)).toEqual([
      ...['health-http', 'port-guard', 'memory-guard', 'log-rotate', 'alerts', 'watch'].map((n) => `${n} running`),
      'probe failed',
    ]);
    expect(report.plugins?.at(-1)).toMatchObject({ name: 'probe', state: 'failed', why: 'setup did not finish within 1s (pluginTimeouts.setup)' });
    expect((await project.zmart(['status'])).stdout).toContain('❌ Plugin probe: failed (setup did not finish within 1s (pluginTimeouts.setup))');
  });

  it('while a slow setup runs, status reaches the supervisor (never "not running" beside a live one)', async () => {
    project = projectWith(`setup() { return new Promise(() => undefined); }`, api, `pluginTimeouts: { setup: '30s' }`);
    const p = project;
    const start = p.spawnZmart(['start', '--wait', '40s']);
    await waitFor(() => p.pid('monitor'), 'the supervisor');
    const report = await waitFor(async () => {
      const r = await statusJson(p).catch(() => null);
      return r?.supervisor.running ? r : null;
    }, 'status to reach the supervisor');
    expect(report.plugins?.find((p) => p.name === 'probe')).toMatchObject({ name: 'probe', state: 'starting' });
    const t0 = Date.now();
    expect((await p.zmart(['stop'])).code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    start.kill();
  });

  it('a supervisor:start handler that never answers delays the fleet by its deadline only', async () => {
    project = projectWith(`setup(ctx) { ctx.on('supervisor:start', () => new Promise(() => undefined)); }`, api, `pluginTimeouts: { setup: '1s' }`);
    expect((await project.zmart(['start'])).code).toBe(0);
    expect(readText(join(project.logDir, 'zmart.log'))).toContain('plugin probe did not finish supervisor:start within 1s');
  });

  it('a teardown that never answers is abandoned: zmart stop ends within the deadline', async () => {
    project = projectWith(`setup() { return () => new Promise(() => undefined); }`, api, `pluginTimeouts: { teardown: '1s' }`);
    const p = project;
    expect((await p.zmart(['start'])).code).toBe(0);
    const monitor = p.pid('monitor')!;
    const t0 = Date.now();
    expect((await p.zmart(['stop'])).code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(6000);
    expect(isAlive(monitor)).toBe(false);
    expect(readText(join(p.logDir, 'zmart.log'))).toContain('plugin probe: teardown did not finish within 1s (pluginTimeouts.teardown): abandoned');
  });
});

describe('a plugin that hogs or throws', () => {
  it('a handler busy 1 s is named with the time it held the supervisor, in the log and in status', async () => {
    // (four times the 250 ms that makes a hold worth a line; a busy loop holds a core, so no longer)
    project = projectWith(`setup(ctx) { ctx.on('service:started', () => { const end = Date.now() + 1000; while (Date.now() < end); }); }`, api);
    expect((await project.zmart(['start'])).code).toBe(0);
    const log = await waitFor(
      () => readText(join(project!.logDir, 'zmart.log')).match(/plugin probe held the supervisor (\d+) ms \(service:started\)/),
      'the stall line',
    );
    expect(Number(log[1])).toBeGreaterThanOrEqual(990);
    const plugin = (await statusJson(project)).plugins?.find((p) => p.name === 'probe');
    expect(plugin?.slowestMs).toBeGreaterThanOrEqual(990);
    expect(plugin?.heldMsTotal).toBeGreaterThanOrEqual(plugin!.slowestMs);
  });

  it("a throw in a plugin's timer is logged naming it; the supervisor runs on", async () => {
    project = projectWith(`setup(ctx) { ctx.scheduler.setInterval(() => { throw new Error('tick broke'); }, 50); }`, api);
    const p = project;
    expect((await p.zmart(['start'])).code).toBe(0);
    await waitFor(() => readText(join(p.logDir, 'zmart.log')).includes('plugin probe: timer threw: tick broke'), 'the throw logged');
    const monitor = p.pid('monitor')!;
    expect(isAlive(monitor)).toBe(true);
    expect((await statusJson(p)).services[0]?.state).toBe('running');
  });

  it('a fault outside any plugin call ends the supervisor with one line (exit 70); the next start adopts the service', async () => {
    // A throw from a bare setTimeout reaches the top of the loop: to zmart it is a fault in core.
    project = projectWith(`setup(ctx) { ctx.on('service:started', () => void setTimeout(() => { throw new Error('escaped'); }, 300)); }`, api);
    const p = project;
    expect((await p.zmart(['start'])).code).toBe(0);
    const monitor = p.pid('monitor')!;
    const service = p.pid('api')!;
    await waitFor(() => !isAlive(monitor), 'the supervisor to exit');
    const out = readText(join(p.logDir, 'zmart.out'));
    expect(out).toMatch(/uncaught exception in the supervisor, exiting \(the next 'zmart start' adopts the running services\): Error: escaped/);
    expect(out).not.toMatch(/\n\s+at /); // one line, no stack
    expect(readText(join(p.logDir, 'zmart.log'))).toContain('uncaught exception in the supervisor, exiting');
    expect(isAlive(service)).toBe(true);
    writeConfig(p, 'setup() {}', api);
    expect((await p.zmart(['start'])).code).toBe(0);
    await waitFor(() => !isAlive(service), 'the leftover to be stopped by the next start');
  });
});

describe('reloads and health reporters', () => {
  it('a reload that changes only a plugin option keeps the process: updated (kept running)', async () => {
    project = createProject(`{ services: {} }`);
    const p = project;
    const port = await freePort();
    const write = (interval: string) =>
      writeFileSync(
        join(p.dir, 'zmart.config.ts'),
        `import { defineConfig } from 'zmart';
import healthHttp from 'zmart/plugins/health-http';
export default defineConfig({ services: { api: { command: ${fixtureCommand()}, port: ${port}, health: { path: '/health', interval: '${interval}' } } }, plugins: [healthHttp()] });
`,
      );
    write('1s');
    expect((await p.zmart(['start'])).code).toBe(0);
    const pid = p.pid('api');
    write('2s');
    const reload = await p.zmart(['reload']);
    expect(reload.stdout).toContain('updated (kept running): api');
    expect(reload.stdout).toContain('changed (restarted): -');
    expect(p.pid('api')).toBe(pid);
    expect((await statusJson(p)).services[0]).toMatchObject({ pid, state: 'running', health: 'healthy', restarts: 0 });
  });

  it('a reload keeps what the operator did: a stopped service stays stopped; a new stop setting applies, history kept', async () => {
    const web = (stop: string) => `web: { command: ${fixtureCommand()}, readyAfter: 100, restart: { backoff: { initial: 10 } }${stop} }`;
    const idle = (level: string) => `idle: { command: ${fixtureCommand()}, readyAfter: 100, env: { LEVEL: '${level}' } }`;
    project = createProject(`{ services: { ${web('')}, ${idle('info')} } }`);
    const p = project;
    expect((await p.zmart(['start'])).code).toBe(0);
    process.kill(p.pid('web')!, 'SIGKILL');
    const crashed = await waitFor(async () => {
      const s = (await statusJson(p)).services.find((x) => x.name === 'web');
      return s?.restarts === 1 && s.state === 'running' ? s : null;
    }, 'web back after its crash');
    expect((await p.zmart(['stop', 'idle'])).code).toBe(0);
    p.writeConfig(`{ services: { ${web(", stop: { timeout: '3s', mode: 'main' }")}, ${idle('debug')} } }`);
    const reload = await p.zmart(['reload']);
    expect(reload.stdout).toContain('changed (restarted): idle');
    expect(reload.stdout).toContain('updated (kept running): web');
    const after = await statusJson(p);
    expect(after.services.find((s) => s.name === 'idle')).toMatchObject({ state: 'stopped', pid: null });
    expect(after.services.find((s) => s.name === 'web')).toMatchObject({ pid: crashed.pid, restarts: 1, lastRestart: { kind: 'exit' } });
    expect(JSON.parse(readText(join(p.pidDir, 'web.state.json'))).stop).toEqual({ signal: 'SIGTERM', timeoutMs: 3000, mode: 'main' });
    expect(readText(join(p.logDir, 'web.log'))).not.toContain('(the main process first)');
    expect((await p.zmart(['stop', 'web'])).code).toBe(0);
    expect(readText(join(p.logDir, 'web.log'))).toContain('(the main process first)'); // the new stop settings were used
  });

  it('two plugins disagreeing on one service: the worst is shown, with who said it', async () => {
    project = createProject(`{ services: {} }`);
    writeFileSync(
      join(project.dir, 'zmart.config.ts'),
      `import { defineConfig, definePlugin, z } from 'zmart';
const says = (name: string, health: 'healthy' | 'unhealthy') => definePlugin({ name, defaults: {}, reportsHealth: true,
  service: { key: name, schema: z.strictObject({}) },
  setup(ctx) { ctx.on('service:started', ({ service }) => ctx.reportHealth(service, health, name + ' says ' + health)); } })();
export default defineConfig({ services: { api: { command: ${fixtureCommand()}, optimist: {}, pessimist: {} } as never },
  plugins: [says('optimist', 'healthy'), says('pessimist', 'unhealthy')] });
`,
    );
    const p = project;
    p.spawnZmart(['start', '--wait', '0']);
    const api = await waitFor(async () => {
      const s = (await statusJson(p).catch(() => null))?.services[0];
      return s?.health === 'unhealthy' ? s : null;
    }, 'the unhealthy word to be shown');
    expect(api).toMatchObject({ healthBy: 'pessimist' });
    expect(api.healthReports).toEqual([
      { by: 'optimist', health: 'healthy', detail: 'optimist says healthy' },
      { by: 'pessimist', health: 'unhealthy', detail: 'pessimist says unhealthy' },
    ]);
    const detailed = await p.zmart(['status', '--detailed']);
    expect(detailed.stdout).toContain('Health: ❌ Unhealthy by pessimist: pessimist says unhealthy; optimist: healthy');
  });
});
