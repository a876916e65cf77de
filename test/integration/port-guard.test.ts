import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import portGuard from '../../plugins/port-guard/index.js';
import { createFleet, fixture, FIXTURE, freePort, isAlive, killAll, readText, tempDir, waitFor, type Fleet, readStat, testTable } from '../helpers/project.js';

let fleet: Fleet | undefined;
const strangers: number[] = [];
const cleanups: Array<() => void> = [];
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
  killAll(strangers.splice(0));
  for (const c of cleanups.splice(0)) c();
});

/** A server this test starts itself (not zmart's), listening on `port`. */
async function stranger(port: number, host = '127.0.0.1'): Promise<number> {
  const child = spawn(process.execPath, [FIXTURE, '--port', String(port), '--host', host], { detached: true, stdio: 'ignore' });
  child.unref();
  strangers.push(child.pid!);
  await waitFor(async () => {
    testTable.forget();
    return testTable.listeners(port)?.some((l) => l.pid === child.pid);
  }, `the stranger on ${port}`);
  return child.pid!;
}

describe('port-guard with real processes', () => {
  it('leaves a stranger alone under onConflict fail and refuses to start, naming it', async () => {
    const port = await freePort();
    const pid = await stranger(port);
    fleet = createFleet({ services: { api: { command: fixture('--port', port), port } }, plugins: [portGuard()] });
    const report = await fleet.supervisor.start();
    expect(report.down).toEqual([{ name: 'api', why: 'failed' }]);
    const snap = fleet.supervisor.snapshots()[0];
    expect(snap.lastError).toMatch(new RegExp(`^port ${port} is taken by pid ${pid} \\(.*server\\.mjs.*\\) on 127\\.0\\.0\\.1, a process zmart did not start`));
    expect(fleet.of('service:spawn')).toEqual([]);
    expect(isAlive(pid)).toBe(true);
  });

  it('waits under onConflict wait and starts once the port frees', async () => {
    const port = await freePort();
    const pid = await stranger(port);
    fleet = createFleet({
      services: { api: { command: fixture('--port', port), port, portGuard: { onConflict: 'wait' } } },
      plugins: [portGuard({ wait: { initial: 100, factor: 1.5, max: 300, limit: 5000 } })],
    });
    const starting = fleet.supervisor.start();
    await waitFor(() => (readText(join(fleet!.dir, 'logs/server_monitor.log')).match(/for it to go \(onConflict: wait\)/g)?.length ?? 0) >= 2, 'two waits');
    expect(fleet.of('service:spawn')).toEqual([]);
    killAll([pid]);
    const report = await starting;
    expect(report.up).toEqual(['api']);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/`).catch(() => null))?.ok, 'the service on its port');
  });

  it('stops a stranger under onConflict kill', async () => {
    const port = await freePort();
    const pid = await stranger(port);
    fleet = createFleet({ services: { api: { command: fixture('--port', port), port } }, plugins: [portGuard({ onConflict: 'kill', stopTimeout: 500 })] });
    expect((await fleet.supervisor.start()).up).toEqual(['api']);
    expect(isAlive(pid)).toBe(false);
  });

  it('cleans up a leftover of the fleet holding the port before the start', async () => {
    const port = await freePort();
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const leftover = await stranger(port);
    mkdirSync(join(dir, 'server_pids'));
    writeFileSync(join(dir, 'server_pids', 'api.pid'), `${leftover}\n`);
    writeFileSync(
      join(dir, 'server_pids', 'api.state.json'),
      JSON.stringify({ pid: leftover, startTime: readStat(leftover)!.startTime, command: 'x', recordedAt: 0 }),
    );
    fleet = createFleet({ services: { api: { command: fixture('--port', port), port } }, plugins: [portGuard()] }, { dir });
    expect((await fleet.supervisor.start()).up).toEqual(['api']);
    expect(isAlive(leftover)).toBe(false);
  });

  it('detects a port taken over while running and restarts with reason port', async () => {
    const port = await freePort();
    fleet = createFleet({
      services: { api: { command: fixture('--port', port), port } },
      plugins: [portGuard({ interval: 150 })],
    });
    await fleet.supervisor.start();
    const intruder = await stranger(port, '::1'); // same port, the other loopback
    const restart = await waitFor(() => fleet!.of('service:restart')[0], 'the restart');
    expect(restart.reason).toMatchObject({ kind: 'port', by: 'port-guard', detail: expect.stringContaining(`shared with pid ${intruder}`) });
    // the restart then meets the stranger: onConflict fail refuses, naming it
    await waitFor(() => fleet!.supervisor.snapshots()[0].state === 'failed', 'the refused restart');
    expect(fleet.supervisor.snapshots()[0].lastError).toContain(`pid ${intruder}`);
    expect(isAlive(intruder)).toBe(true);
  });
});
