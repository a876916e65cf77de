import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { isRecordedProcess } from '../../core/process/proc.js';
import { testTable } from '../helpers/project.js';
import { FIXTURE, freePort, killAll, waitFor } from '../helpers/project.js';

const started: number[] = [];
afterEach(() => killAll(started.splice(0)));

function start(args: string[], env: Record<string, string> = {}): number {
  const child = spawn(process.execPath, [FIXTURE, ...args], { detached: true, stdio: 'ignore', env: { ...process.env, ...env } });
  child.unref();
  started.push(child.pid!);
  return child.pid!;
}

/**
 * The process table against real processes: this file runs in both passes of CI, once with
 * /proc and once with ZMART_PROC_BACKEND=portable (ps and lsof), and holds each to the same answers.
 */
describe(`the process table (${process.env.ZMART_PROC_BACKEND || 'platform default'})`, () => {
  const table = testTable;

  it('is the one asked for', () => {
    expect(table.name).toBe(process.env.ZMART_PROC_BACKEND || (process.platform === 'linux' ? 'linux' : 'portable'));
  });

  it('knows a process: family, start, command, memory, listening socket; and then that it is gone', async () => {
    const port = await freePort();
    const before = Date.now();
    const pid = start(['--port', String(port)]);
    const listener = await waitFor(() => {
      table.forget();
      return table.listeners(port)?.find((l) => l.pid === pid);
    }, `pid ${pid} listening on ${port}`);

    const stat = table.stat(pid)!;
    expect(stat).toMatchObject({ pid, ppid: process.pid, pgid: pid });
    expect(stat.state).not.toBe('Z');
    // start times are to the tick (/proc) or to the second (ps)
    expect(table.startedAtMs(stat.startTime)).toBeGreaterThanOrEqual(before - table.startTimeGrainMs - 1000);
    expect(table.startedAtMs(stat.startTime)).toBeLessThanOrEqual(Date.now() + 1000);
    expect(table.all().find((s) => s.pid === pid)?.startTime).toBe(stat.startTime);
    expect(table.commandLine(pid)).toBe(`${process.execPath} ${FIXTURE} --port ${port}`);
    expect(table.rssBytes(pid)).toBeGreaterThan(5 * 1024 * 1024);

    expect(listener).toEqual({ pid, startTime: stat.startTime, ppid: process.pid, pgid: pid, command: table.commandLine(pid), address: '127.0.0.1', port });
    expect(table.sockets([pid])).toContainEqual({ pid, local: '127.0.0.1', localPort: port, state: 'LISTEN' });
    expect(table.listeners(port + 0)?.length).toBe(1);

    killAll([pid]);
    await waitFor(() => table.stat(pid) === null || table.stat(pid)?.state === 'Z', `pid ${pid} to go`);
    table.forget();
    expect(table.listeners(port)).toEqual([]);
  });

  it("finds the processes that carry a service's marker in their environment, and no other", async () => {
    const marker = `ZMART_INCARNATION=${randomUUID()}`;
    const [name, value] = marker.split('=');
    const carrier = start([], { [name]: value });
    const other = start([]);
    const mimic = start(['--tag', marker]); // the word in its argv, not in its environment
    const stats = await waitFor(() => {
      const all = table.all().filter((s) => [carrier, other, mimic].includes(s.pid));
      return all.length === 3 ? all : null;
    }, 'the three fixtures');
    expect(table.carrying(marker, stats).carriers.map((s) => s.pid)).toEqual([carrier]);
    expect(table.carrying(`${marker}0`, stats).carriers).toEqual([]);

    // a pid file's proof: pid + start time, and where start times are to the second, the marker
    const stat = stats.find((s) => s.pid === carrier)!;
    expect(isRecordedProcess(table, { pid: carrier, startTime: stat.startTime, marker })).toBe(true);
    expect(isRecordedProcess(table, { pid: carrier, startTime: stat.startTime + 1, marker })).toBe(false);
    const wrongMarker = isRecordedProcess(table, { pid: carrier, startTime: stat.startTime, marker: `${marker}0` });
    expect(wrongMarker).toBe(table.startTimeGrainMs < 1000);
  });

  it('never names a holder that has exited since the last look at the ports (a zombie holds no socket)', async () => {
    const port = await freePort();
    // the server's parent execs sleep, which never reaps it: killed, it stays a zombie
    const shell = spawn('/bin/sh', ['-c', `"${process.execPath}" "${FIXTURE}" --port ${port} & exec sleep 30`], { detached: true, stdio: 'ignore' });
    started.push(shell.pid!);
    const server = await waitFor(() => {
      table.forget();
      return table.listeners(port)?.[0];
    }, 'the server listening');
    process.kill(server.pid, 'SIGKILL');
    await waitFor(() => table.stat(server.pid)?.state === 'Z', 'the server to be a zombie');
    // within the moment a look at the ports is kept: the socket is seen no more, or seen with nobody
    expect(table.listeners(port)).toEqual([]);
  });

  it('answers nothing for pids that never were', () => {
    expect(table.stat(2 ** 22 + 7)).toBeNull();
    expect(table.commandLine(2 ** 22 + 7)).toBeNull();
    expect(table.rssBytes(2 ** 22 + 7)).toBe(0);
    expect(table.sockets([])).toEqual([]);
    expect(table.carrying('ZMART_INCARNATION=x', [])).toEqual({ carriers: [], unsettled: [] });
  });
});
