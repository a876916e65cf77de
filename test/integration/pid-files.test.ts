import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFleet, fixture, FIXTURE, isAlive, killAll, readText, tempDir, waitFor, type Fleet, readStat } from '../helpers/project.js';
import { readsProc } from '../helpers/tools.js';

let fleet: Fleet | undefined;
const strangers: number[] = [];
const cleanups: Array<() => void> = [];
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
  killAll(strangers.splice(0));
  for (const c of cleanups.splice(0)) c();
});

/** A process this test starts itself, in its own group: not zmart's. */
function startStranger(): number {
  const child = spawn(process.execPath, [FIXTURE], { detached: true, stdio: 'ignore' });
  child.unref();
  strangers.push(child.pid!);
  return child.pid!;
}

describe('pid files', () => {
  readsProc()('name the program itself for a command given as one string (the shell execs it); a pipeline keeps its shell', async () => {
    const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    fleet = createFleet({
      services: {
        api: { command: `"${process.execPath}" "${FIXTURE}" --print hello`, readyAfter: 0 },
        piped: { command: `"${process.execPath}" "${FIXTURE}" --print hello | cat`, readyAfter: 0 },
      },
    });
    await fleet.supervisor.start();
    const [api, piped] = fleet.supervisor.snapshots();
    expect(cmdline(api.pid!)[0]).toBe(process.execPath);
    expect(readFileSync(join(fleet.dir, 'server_pids', 'api.pid'), 'utf8')).toBe(`${api.pid}\n`);
    expect(cmdline(piped.pid!)[0]).toBe('/bin/sh'); // documented: the shell leads the group
    await fleet.supervisor.stop();
    expect([api.pid!, piped.pid!].filter(isAlive)).toEqual([]);
  });

  it('writes <service>.pid (the pid alone) and a state file with its proof, and removes both at stop', async () => {
    fleet = createFleet({ services: { api: { command: fixture() }, web: { command: fixture() } } });
    await fleet.supervisor.start();
    const pids = join(fleet.dir, 'server_pids');
    for (const name of ['api', 'web']) {
      const pid = fleet.supervisor.controller(name)!.snapshot().pid!;
      expect(readFileSync(join(pids, `${name}.pid`), 'utf8')).toBe(`${pid}\n`);
      const state = JSON.parse(readFileSync(join(pids, `${name}.state.json`), 'utf8'));
      expect(state).toMatchObject({ pid, startTime: readStat(pid)!.startTime });
      expect(state.command).toContain('server.mjs');
      expect(statSync(join(pids, `${name}.pid`)).mode & 0o777).toBe(0o600);
    }
    expect(readFileSync(join(pids, 'monitor.pid'), 'utf8')).toBe(`${process.pid}\n`);

    await fleet.supervisor.stop();
    for (const file of ['api.pid', 'api.state.json', 'web.pid', 'web.state.json', 'monitor.pid', 'monitor.state.json']) {
      expect(existsSync(join(pids, file))).toBe(false);
    }
  });

  it('never signals a live process named by a pid file it cannot prove is its own', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const pidDir = join(dir, 'server_pids');
    mkdirSync(pidDir);
    const bare = startStranger(); // a pid file with no state file
    const forged = startStranger(); // a state file whose start time does not match
    writeFileSync(join(pidDir, 'api.pid'), `${bare}\n`);
    writeFileSync(join(pidDir, 'web.pid'), `${forged}\n`);
    writeFileSync(join(pidDir, 'web.state.json'), JSON.stringify({ pid: forged, startTime: 12345, command: 'x', recordedAt: 0 }));

    fleet = createFleet({ services: { api: { command: fixture() }, web: { command: fixture() } } }, { dir });
    await fleet.supervisor.start();
    await fleet.supervisor.stop();

    expect(isAlive(bare)).toBe(true);
    expect(isAlive(forged)).toBe(true);
    await waitFor(
      () => /api: stale pid file removed \(pid \d+ has no proof it is ours; not signalled\)/.test(readText(join(dir, 'logs/server_startup.log'))),
      'the stale pid file in the startup log',
    );
  });

  it('stops a leftover of an earlier run that it can prove is its own before starting a new one', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const pidDir = join(dir, 'server_pids');
    mkdirSync(pidDir);
    const leftover = startStranger();
    await waitFor(() => readStat(leftover), 'the leftover to exist');
    writeFileSync(join(pidDir, 'api.pid'), `${leftover}\n`);
    writeFileSync(
      join(pidDir, 'api.state.json'),
      JSON.stringify({ pid: leftover, startTime: readStat(leftover)!.startTime, command: 'node server.mjs', recordedAt: 0 }),
    );

    fleet = createFleet({ services: { api: { command: fixture() } } }, { dir });
    await fleet.supervisor.start();
    expect(isAlive(leftover)).toBe(false);
    const pid = fleet.supervisor.snapshots()[0].pid!;
    expect(pid).not.toBe(leftover);
    expect(readFileSync(join(pidDir, 'api.pid'), 'utf8')).toBe(`${pid}\n`);
  });

  it('refuses to start a second supervisor on the same pid folder', async () => {
    fleet = createFleet({ services: { api: { command: fixture() } } });
    const pidDir = join(fleet.dir, 'server_pids');
    mkdirSync(pidDir, { recursive: true });
    const other = startStranger(); // stands in for a live zmart that owns monitor.pid
    await waitFor(() => readStat(other), 'the other supervisor');
    writeFileSync(join(pidDir, 'monitor.pid'), `${other}\n`);
    writeFileSync(join(pidDir, 'monitor.state.json'), JSON.stringify({ pid: other, startTime: readStat(other)!.startTime, command: 'zmart', recordedAt: 0 }));

    await expect(fleet.supervisor.start()).rejects.toMatchObject({ code: 'ZMART_ALREADY_RUNNING' });
    expect(fleet.of('service:spawn')).toEqual([]);
    expect(isAlive(other)).toBe(true);
  });
});
