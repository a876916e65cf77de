import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { envOf, ask } from '../helpers/process-view.js';
import { createFleet, type Fleet, fixture, freePort, isAlive, waitFor } from '../helpers/project.js';
import { readsProc } from '../helpers/tools.js';

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

const pids = () => Object.fromEntries(fleet!.supervisor.snapshots().map((s) => [s.name, s.pid]));

describe('replicas', () => {
  readsProc()('three processes share one socket: each named, numbered and answering; a rolling restart under load fails nothing', async () => {
    const port = await freePort();
    fleet = createFleet({ services: { web: { command: fixture('--listen-fd'), port, socket: true, replicas: 3, ready: { logLine: 'listening on fd 3' } } } });
    await fleet.supervisor.start();
    const first = pids();
    expect(Object.keys(first)).toEqual(['web#1', 'web#2', 'web#3']);
    for (const [i, name] of ['web#1', 'web#2', 'web#3'].entries()) {
      expect(envOf(first[name]!)).toMatchObject({ ZMART_REPLICA: String(i + 1), LISTEN_FDS: '1', LISTEN_PID: String(first[name]), PORT: String(port) });
    }
    expect(existsSync(join(fleet.dir, 'server_pids', 'web#2.pid'))).toBe(true);
    const seen = new Set<string>();
    await waitFor(async () => {
      seen.add(await ask(port));
      return seen.size >= 2;
    }, 'answers from two replicas');

    const failed: string[] = [];
    let done = false;
    const client = async () => {
      while (!done) await ask(port).catch((error: Error) => failed.push(error.message));
    };
    const clients = Array.from({ length: 4 }, client);
    const report = await fleet.supervisor.restartServices(['web#1', 'web#2', 'web#3']);
    done = true;
    await Promise.all(clients);
    expect(report).toEqual({ up: ['web#1', 'web#2', 'web#3'], down: [] });
    expect(failed).toEqual([]);
    // one after another: each replica's new process spawned after the previous one's
    const spawns = fleet
      .of('service:spawn')
      .slice(3)
      .map((e) => e.service);
    expect(spawns).toEqual(['web#1', 'web#2', 'web#3']);
    for (const name of Object.keys(first)) expect(pids()[name]).not.toBe(first[name]);
  });

  readsProc()('kill -9 of one replica restarts only it; without a socket each has its own PORT; scale up and down, live', async () => {
    const port = await freePort();
    fleet = createFleet({ services: { api: { command: fixture(), port, replicas: 2, readyAfter: 100 } } });
    await fleet.supervisor.start();
    const before = pids();
    expect(envOf(before['api#1']!).PORT).toBe(String(port));
    expect(envOf(before['api#2']!).PORT).toBe(String(port + 1));
    process.kill(before['api#2']!, 'SIGKILL');
    await waitFor(() => pids()['api#2'] !== before['api#2'] && fleet!.supervisor.snapshots()[1]!.state === 'running', 'api#2 back');
    expect(pids()['api#1']).toBe(before['api#1']);

    const up = await fleet.supervisor.scale('api', 4);
    expect(up.added).toEqual(['api#3', 'api#4']);
    await waitFor(() => fleet!.supervisor.snapshots().filter((s) => s.state === 'running').length === 4, 'four running');
    expect(pids()['api#1']).toBe(before['api#1']);
    const third = pids()['api#3']!;
    const down = await fleet.supervisor.scale('api', 2);
    expect(down.removed).toEqual(['api#3', 'api#4']);
    expect(Object.keys(pids())).toEqual(['api#1', 'api#2']);
    await waitFor(() => !isAlive(third), 'api#3 gone');
    expect(pids()['api#1']).toBe(before['api#1']);
  });
});

describe('a dependant of a replicated service', () => {
  it('starts once one replica, whichever, is ready; not when every replica is down', async () => {
    const { FIXTURE } = await import('../helpers/project.js');
    const port = await freePort();
    const web = (failing: string) => ({
      command: `case "$ZMART_REPLICA" in ${failing}) exit 1;; esac; exec ${process.execPath} ${FIXTURE}`,
      port,
      replicas: 2,
      readyAfter: 100,
      restart: { policy: 'never' as const },
    });
    const worker = { command: fixture(), dependsOn: { web: 'healthy' as const }, readyAfter: 0 };
    fleet = createFleet({ services: { web: web('1'), worker } });
    const report = await fleet.supervisor.start();
    expect(report.up.sort()).toEqual(['web#2', 'worker']);
    expect(report.down.map((d) => d.name)).toEqual(['web#1']);
    await fleet.close();
    fleet = createFleet({ services: { web: web('1|2'), worker } });
    const none = await fleet.supervisor.start();
    expect(none.down).toContainEqual({ name: 'worker', why: 'dependency web (every replica) is exited' });
  });
});

describe('a reload that changes replicated service', () => {
  readsProc()('rolls it: each old process stops when its successor is ready, and requests without pause see no failure', async () => {
    const { resolveConfig } = await import('../../core/config/resolve.js');
    const port = await freePort();
    const web = (level: string) => ({
      web: { command: fixture('--listen-fd'), port, socket: true as const, replicas: 3, env: { LEVEL: level }, ready: { logLine: 'listening on fd 3' } },
    });
    fleet = createFleet({ services: web('info') });
    await fleet.supervisor.start();
    const before = pids();
    const failed: string[] = [];
    let done = false;
    const client = async () => {
      while (!done) await ask(port).catch((error: Error) => failed.push(error.message));
    };
    const clients = Array.from({ length: 4 }, client);
    const report = await fleet.supervisor.reload(resolveConfig({ services: web('debug') }, { file: null, root: fleet.dir, env: {} }));
    done = true;
    await Promise.all(clients);
    expect(report.changed).toEqual(['web#1', 'web#2', 'web#3']);
    expect(failed).toEqual([]);
    expect(
      fleet
        .of('service:spawn')
        .slice(3)
        .map((e) => e.service),
    ).toEqual(['web#1', 'web#2', 'web#3']);
    for (const name of Object.keys(before)) {
      expect(pids()[name]).not.toBe(before[name]);
      expect(envOf(pids()[name]!).LEVEL).toBe('debug');
    }
  });
});

describe('a roll that meets a replica that never gets ready', () => {
  it('stops there: that replica and those after it keep their processes and go on answering; the report says so', async () => {
    const { writeFileSync, rmSync } = await import('node:fs');
    const port = await freePort();
    const { FIXTURE } = await import('../helpers/project.js');
    fleet = createFleet({
      services: {
        web: {
          // ready while the file is there; a new process after it is gone never listens
          command: `test -f ok && exec ${process.execPath} ${FIXTURE} --listen-fd; exec sleep 1000`,
          port,
          socket: true,
          replicas: 2,
          ready: { logLine: 'listening on fd 3' },
        },
      },
    });
    writeFileSync(join(fleet.dir, 'ok'), '');
    await fleet.supervisor.start();
    const before = pids();
    rmSync(join(fleet.dir, 'ok'));
    const report = await fleet.supervisor.restartServices(['web#1', 'web#2'], { waitMs: 1000 });
    expect(report.up).toEqual([]);
    const why = 'its successor not ready within 1s; the running process serves on';
    expect(report.down).toEqual([
      { name: 'web#1', why },
      { name: 'web#2', why: `not restarted: the roll stopped at web#1 (${why}); it keeps its running process` },
    ]);
    expect(pids()).toEqual(before);
    const seen = new Set<string>();
    await waitFor(async () => {
      seen.add(await ask(port)); // both still serving
      return seen.size === 2;
    }, 'answers from both old processes');
    expect([...seen].sort()).toEqual([String(before['web#1']), String(before['web#2'])].sort());
  });
});

describe('replicas through the CLI', () => {
  it('zmart restart NAME rolls its replicas (or all at once), zmart scale changes the count, status names each', async () => {
    const { createProject, fixtureCommand } = await import('../helpers/daemon.js');
    const port = await freePort();
    const p = createProject(
      `{ services: { web: { command: ${fixtureCommand('--listen-fd')}, port: ${port}, socket: true, replicas: 2, ready: { logLine: 'listening on fd 3' } } } }`,
    );
    try {
      expect((await p.zmart(['start'])).code).toBe(0);
      const rolled = await p.zmart(['restart', 'web']);
      expect(rolled.code).toBe(0);
      expect(rolled.stdout).toMatch(/✔ web#1 restarted\n.*✔ web#2 restarted/);
      expect((await p.zmart(['restart', 'web', '--all-at-once'])).code).toBe(0);
      const scaled = await p.zmart(['scale', 'web', '3']);
      expect(scaled.code, scaled.stderr).toBe(0);
      expect(scaled.stdout).toMatch(/web: 3 processes; started web#3; stopped -/);
      const status = JSON.parse((await p.zmart(['status', '--json'])).stdout) as { services: Array<{ name: string; state: string }> };
      expect(status.services.map((s) => `${s.name} ${s.state}`)).toEqual(['web#1 running', 'web#2 running', 'web#3 running']);
      const logs = await p.zmart(['logs', 'web', '-n', '2']);
      expect(logs.stdout).toMatch(/^web#1 \| /m);
      expect(logs.stdout).toMatch(/^web#3 \| /m);
      expect((await p.zmart(['scale', 'web', 'many'])).code).toBe(2);
      expect((await p.zmart(['scale', 'nope', '2'])).code).toBe(2);
      expect((await p.zmart(['stop'])).code).toBe(0);
    } finally {
      await p.cleanup();
    }
  });
});
