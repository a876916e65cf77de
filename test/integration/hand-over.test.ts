import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import healthHttp from '../../plugins/health-http/index.js';
import { ask, envOf, underLoad } from '../helpers/process-view.js';
import { createFleet, type Fleet, FIXTURE, fixture, freePort, isAlive, waitFor } from '../helpers/project.js';
import { readsProc } from '../helpers/tools.js';

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

const only = () => fleet!.supervisor.snapshots()[0]!;
const pidFile = (name: string) => join(fleet!.dir, 'server_pids', `${name}.pid`);

/** A service that listens on fd 3 while the file `ok` is in its folder, and otherwise does `otherwise`. */
const whileOk = (otherwise: string) => `test -f ok && exec ${process.execPath} ${FIXTURE} --listen-fd; ${otherwise}`;

/** A socket service up and serving, whose next process will `otherwise` instead: its port and first pid. */
async function servingThenBroken(otherwise: string): Promise<{ port: number; first: number }> {
  const port = await freePort();
  fleet = createFleet({ services: { api: { command: whileOk(otherwise), port, socket: true, ready: { logLine: 'listening on fd 3' } } } });
  writeFileSync(join(fleet.dir, 'ok'), '');
  await fleet.supervisor.start();
  const first = only().pid!;
  rmSync(join(fleet.dir, 'ok'));
  return { port, first };
}

describe('a restart of a service whose socket zmart holds hands it over: successor first', () => {
  it('the successor starts beside the running process and takes over once ready; no request fails; probes go on', async () => {
    const port = await freePort();
    fleet = createFleet({
      services: { api: { command: fixture('--listen-fd'), port, socket: true, ready: { logLine: 'listening on fd 3' }, health: { path: '/' } } },
      plugins: [healthHttp({ interval: '200ms' })],
    });
    await fleet.supervisor.start();
    const first = only().pid!;
    const load = await underLoad(port, async () => {
      for (let i = 0; i < 2; i += 1) expect(await fleet!.supervisor.restartServices(['api'])).toEqual({ up: ['api'], down: [] });
    });
    expect(load.failed).toEqual([]);
    const [, second, third] = fleet.of('service:spawn').map((e) => e.pid);
    expect(only().pid).toBe(third);
    // successor first: each old process ended after its successor was spawned, as part of a hand-over
    const exits = fleet.of('service:exit');
    expect(exits.map((e) => [e.pid, e.expected, e.handOver])).toEqual([
      [first, true, true],
      [second, true, true],
    ]);
    const spawnAt = (pid: number | undefined) => fleet!.of('service:spawn').find((e) => e.pid === pid)!.at;
    expect(spawnAt(second)).toBeLessThanOrEqual(exits[0]!.at);
    expect(spawnAt(third)).toBeLessThanOrEqual(exits[1]!.at);
    // the service never left `running`; it counts two operator restarts
    expect(
      fleet
        .of('service:state')
        .filter((e) => e.at >= spawnAt(second))
        .map((e) => e.to),
    ).toEqual([]);
    expect(only()).toMatchObject({ state: 'running', restarts: 2, lastRestart: { kind: 'manual' } });
    expect(readFileSync(pidFile('api'), 'utf8')).toBe(`${third}\n`);
    expect(existsSync(pidFile('api+next'))).toBe(false);
    expect([first, second].map(isAlive)).toEqual([false, false]);
    // health-http goes on probing the service after its old processes ended
    let probes = 0;
    fleet.supervisor.hooks.on('service:probe', () => void (probes += 1));
    await waitFor(() => probes >= 2, 'two probes after the hand-overs');
    expect(only().health).toBe('healthy');
  });

  it('a successor that does not get ready is stopped and the running process serves on (exit before ready, not ready in time)', async () => {
    const { port, first } = await servingThenBroken('exit 3');
    const crashed = await fleet!.supervisor.restartServices(['api']);
    expect(crashed).toEqual({ up: [], down: [{ name: 'api', why: 'its successor exited with code 3 before it was ready; the running process serves on' }] });
    expect(only()).toMatchObject({ pid: first, state: 'running', restarts: 0 });
    expect(await ask(port)).toBe(String(first));
    expect(readFileSync(pidFile('api'), 'utf8')).toBe(`${first}\n`);
    expect(existsSync(pidFile('api+next'))).toBe(false);
    // the successor's exit did not stop anything watching the service: it is still ready for dependants
    expect(fleet!.supervisor.controller('api')!.ready).toBe(true);
  });

  it('a stop during the hand-over ends it at once: the successor and the old process go, nothing is left', async () => {
    const { port, first } = await servingThenBroken('exec sleep 1000');
    const restart = fleet!.supervisor.restartServices(['api'], { waitMs: 60_000 });
    await waitFor(() => existsSync(pidFile('api+next')), 'the successor recorded in its own pid file');
    const successor = Number(readFileSync(pidFile('api+next'), 'utf8'));
    expect(successor).not.toBe(first);
    const t0 = Date.now();
    await fleet!.supervisor.stopServices(['api']);
    expect(Date.now() - t0).toBeLessThan(20_000); // not the 60 s of the roll's deadline
    expect(await restart).toEqual({ up: [], down: [{ name: 'api', why: 'its successor not ready: the service was stopped; the running process serves on' }] });
    expect([first, successor].map(isAlive)).toEqual([false, false]);
    expect(only().state).toBe('stopped');
    expect(['api', 'api+next'].map((n) => existsSync(pidFile(n)))).toEqual([false, false]);
    await expect(ask(port)).rejects.toThrow(/ECONNREFUSED/);
  });

  readsProc()('a reload that changes it hands it over to a process with the new settings', async () => {
    const { resolveConfig } = await import('../../core/config/resolve.js');
    const port = await freePort();
    const api = (level: string) => ({
      api: { command: fixture('--listen-fd'), port, socket: true as const, env: { LEVEL: level }, ready: { logLine: 'listening on fd 3' } },
    });
    fleet = createFleet({ services: api('info') });
    await fleet.supervisor.start();
    const first = only().pid!;
    const load = await underLoad(port, async () => {
      const report = await fleet!.supervisor.reload(resolveConfig({ services: api('debug') }, { file: null, root: fleet!.dir, env: {} }));
      expect(report.changed).toEqual(['api']);
    });
    expect(load.failed).toEqual([]);
    const exit = fleet.of('service:exit')[0]!;
    expect(exit).toMatchObject({ pid: first, handOver: true });
    expect(fleet.of('service:spawn')[1]!.at).toBeLessThanOrEqual(exit.at);
    expect(envOf(only().pid!).LEVEL).toBe('debug');
    expect(only().state).toBe('running');
  });
});
