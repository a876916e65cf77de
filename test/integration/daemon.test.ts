import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, isAlive, waitFor, readStat } from '../helpers/project.js';
import { createProject, fixtureCommand, type Project } from '../helpers/daemon.js';
import { readsProc } from '../helpers/tools.js';

let project: Project | undefined;
afterEach(async () => {
  await project?.cleanup();
  project = undefined;
});

const twoServices = () => `{
  services: {
    api: { title: 'API Server', command: ${fixtureCommand()}, readyAfter: 100, stop: { timeout: 2000 } },
    web: { title: 'Web', command: ${fixtureCommand()}, readyAfter: 100, dependsOn: ['api'] },
  },
}`;

describe('the background supervisor', () => {
  readsProc()('survives the shell that started it, in a session of its own, and answers status from anywhere below', async () => {
    project = createProject(twoServices());
    // the shell exits as soon as `zmart start` returns
    const shell = spawnSync('/bin/sh', ['-c', `"${process.execPath}" "${CLI}" start`], {
      cwd: project.dir,
      env: { ...process.env, ...project.env, NO_COLOR: '1' },
      encoding: 'utf8',
    });
    expect(shell.status, shell.stderr).toBe(0);
    expect(shell.stdout).toMatch(/✔ api +running +pid \d+/);
    expect(shell.stdout).toMatch(/2\/2 up in/);

    const daemon = project.pid('monitor')!;
    expect(isAlive(daemon)).toBe(true);
    expect(readFileSync(`/proc/${daemon}/cmdline`, 'utf8').split('\0')).toContain(join(CLI, '..', 'daemon.js'));
    const stat = readFileSync(`/proc/${daemon}/stat`, 'utf8');
    const sid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]);
    expect(sid).toBe(daemon); // its own session: a closing terminal does not reach it

    const status = await project.zmart(['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('✅ API Server: Running');
    expect(status.stdout).toMatch(/✅ Monitoring: Active \(zmart \d+/);
  });

  it('returns at once with --wait 0, exit 0, and the fleet comes up behind it', async () => {
    project = createProject(twoServices());
    const p = project;
    const start = await p.zmart(['start', '--wait', '0ms']);
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout).toMatch(/not waiting for the services \(--wait 0\)/);
    expect(start.stdout).not.toMatch(/up in|did not come up/);
    await waitFor(async () => (await p.zmart(['status'])).code === 0, 'the fleet to be up');
  });

  it('does nothing on a second start, and starts one named service of a running fleet', async () => {
    project = createProject(twoServices());
    expect((await project.zmart(['start', 'api'])).code).toBe(0);
    const api = project.pid('api');
    expect(project.pid('web')).toBeNull();

    const again = await project.zmart(['start', 'api']);
    expect(again.code).toBe(0);
    expect(project.pid('api')).toBe(api);

    const web = await project.zmart(['start', 'web']);
    expect(web.code).toBe(0);
    expect(web.stdout).toMatch(/✔ web +running/);
    expect(project.pid('web')).not.toBeNull();

    const second = await project.zmart(['start']);
    expect(second).toMatchObject({ code: 0 });
    expect(second.stdout).toMatch(/already running .*nothing changed/);
    expect(project.pid('api')).toBe(api);
  });

  it('exits 1 naming each service that did not come up, with the last lines of its log', async () => {
    project = createProject(`{
      services: {
        ok: { command: ${fixtureCommand()}, readyAfter: 100 },
        broken: { command: ${fixtureCommand('--print', 'database unreachable', '--exit-after', 10)}, readyAfter: '10s', restart: { maxRestarts: 1, backoff: { initial: 10 } } },
        after: { command: ${fixtureCommand()}, dependsOn: { broken: 'started' } },
      },
    }`);
    const result = await project.zmart(['start']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✖ broken +Failed after 1 restarts \(last exit: code 1\)/);
    expect(result.stdout).toMatch(/broken did not come up; last lines of .*broken\.log:[\s\S]*out database unreachable/);
    expect(result.stdout).toMatch(/not up: broken/);
  });

  it('runs as dist/bin/daemon.js, whose own usage errors exit 2 and say what was wrong', () => {
    const daemonEntry = join(CLI, '..', 'daemon.js');
    const missing = spawnSync(process.execPath, [daemonEntry], { encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--config PATH is required');
    const unknown = spawnSync(process.execPath, [daemonEntry, '--config', 'x.ts', '--bogus'], { encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--bogus'");
  });

  it('serves the control API owner-only and answers malformed requests with 4xx, staying up', async () => {
    project = createProject(twoServices());
    expect((await project.zmart(['start'])).code).toBe(0);
    const socket = join(project.pidDir, 'zmart.sock');
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    for (const file of ['zmart.log', 'api.log', 'server_startup.log', 'zmart.out']) {
      expect(statSync(join(project.logDir, file)).mode & 0o077, file).toBe(0);
    }

    const { callControl } = await import('../../core/daemon/control-client.js');
    const { request } = await import('node:http');
    const raw = (method: string, path: string, body: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ socketPath: socket, method, path }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        req.end(body);
      });
    expect(await raw('POST', '/v1/start', '{not json')).toBe(400);
    expect(await raw('POST', '/v1/start', '[1,2]')).toBe(400);
    expect(await raw('POST', '/v1/stop', '{"services":"api"}')).toBe(400);
    expect(await raw('POST', '/v1/stop', '{"services":["nope"]}')).toBe(404);
    expect(await raw('POST', '/v1/stop', '{"services":[]}')).toBe(400); // not "everything"
    expect(await raw('POST', '/v1/restart', '{"services":[]}')).toBe(400);
    expect(await raw('DELETE', '/v1/status', '')).toBe(405);
    expect(await raw('GET', '/v2/everything', '')).toBe(404);
    expect(await raw('POST', '/v1/start', 'x'.repeat(100_000))).toBe(413);

    const status = await callControl<{ services: Array<{ state: string }> }>(socket, 'GET', '/v1/status');
    expect(status.status).toBe(200);
    expect(status.body.services.map((s) => s.state)).toEqual(['running', 'running']);
    // what a start and a stop poll: each service's state, readiness and last exit or stop; no command, metrics or resources
    const progress = await callControl<{ services: Array<Record<string, unknown>> }>(socket, 'GET', '/v1/progress');
    expect(progress.body.services.map((s) => s.name)).toEqual(['api', 'web']);
    expect(progress.body.services[0]).toMatchObject({ state: 'running', ready: true, restarts: 0, lastStop: null, dependsOn: [] });
    expect(Object.keys(progress.body.services[0]!).sort()).toEqual([
      'dependsOn',
      'health',
      'lastError',
      'lastExit',
      'lastRestart',
      'lastStop',
      'name',
      'pid',
      'probeFailureThreshold',
      'probeFailures',
      'ready',
      'restarts',
      'state',
    ]);
  });

  it('stops in reverse dependency order, removes the pid files and ends the daemon', async () => {
    project = createProject(twoServices());
    await project.zmart(['start']);
    const [daemon, api, web] = [project.pid('monitor')!, project.pid('api')!, project.pid('web')!];
    const stop = await project.zmart(['stop']);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toMatch(/zmart stopped in/);
    await waitFor(() => !isAlive(daemon), 'the daemon to exit');
    expect([api, web].filter(isAlive)).toEqual([]);
    expect(project.pid('api') ?? project.pid('web') ?? project.pid('monitor')).toBeNull();
    const shutdown = readFileSync(join(project.logDir, 'server_shutdown.log'), 'utf8');
    expect(shutdown.indexOf('web: stopped')).toBeLessThan(shutdown.indexOf('api: stopped'));

    const after = await project.zmart(['status']);
    expect(after.code).toBe(3);
    expect(after.stdout).toContain('⛔ API Server: Stopped');
  });

  it('handles SIGTERM to the daemon as zmart stop', async () => {
    project = createProject(twoServices());
    await project.zmart(['start']);
    const [daemon, api] = [project.pid('monitor')!, project.pid('api')!];
    process.kill(daemon, 'SIGTERM');
    await waitFor(() => !isAlive(daemon), 'the daemon to exit');
    expect(isAlive(api)).toBe(false);
    expect(project.pid('api')).toBeNull();
  });

  it('after kill -9 of the daemon: status reports orphans (exit 3), and stop cleans them up', async () => {
    project = createProject(twoServices());
    await project.zmart(['start']);
    const [daemon, api, web] = [project.pid('monitor')!, project.pid('api')!, project.pid('web')!];
    process.kill(daemon, 'SIGKILL');
    await waitFor(() => !isAlive(daemon), 'the daemon to die');

    const status = await project.zmart(['status']);
    expect(status.code).toBe(3);
    expect(status.stdout).toMatch(new RegExp(`API Server: Orphaned \\(pid ${api} runs without a supervisor`));
    expect(status.stdout).toContain('❌ Monitoring: Not running');
    const json = JSON.parse((await project.zmart(['status', '--json'])).stdout);
    expect(json.supervisor.running).toBe(false);
    expect(json.services.map((s: { pidFile: string }) => s.pidFile)).toEqual(['orphaned', 'orphaned']);

    const stop = await project.zmart(['stop']);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toMatch(/2 orphaned service\(s\) stopped/);
    expect([api, web].filter(isAlive)).toEqual([]);
    expect(project.pid('api')).toBeNull();
  });

  readsProc()('after kill -9 of the daemon, start leaves exactly one copy of each service and no orphan', async () => {
    project = createProject(twoServices());
    await project.zmart(['start']);
    const [daemon, api, web] = [project.pid('monitor')!, project.pid('api')!, project.pid('web')!];
    process.kill(daemon, 'SIGKILL');
    await waitFor(() => !isAlive(daemon), 'the daemon to die');

    expect((await project.zmart(['start'])).code).toBe(0);
    expect([api, web].filter(isAlive)).toEqual([]);
    const fixtures = readdirProc().filter((p) => p.cmd.includes('server.mjs') && p.cwd === project!.dir);
    expect(fixtures.map((p) => p.pid).sort()).toEqual([project.pid('api'), project.pid('web')].sort());
  });
});

/** Live processes with their command line and cwd (zombies excluded). */
function readdirProc(): Array<{ pid: number; cmd: string; cwd: string }> {
  const { readdirSync, readlinkSync } = require('node:fs') as typeof import('node:fs');
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .flatMap((n) => {
      const pid = Number(n);
      try {
        if (readStat(pid)?.state === 'Z') return [];
        return [{ pid, cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '), cwd: readlinkSync(`/proc/${pid}/cwd`) }];
      } catch {
        return [];
      }
    });
}
