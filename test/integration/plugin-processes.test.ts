import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { ProcessIdentity } from '../../core/di/contracts.js';
import { createPluginProcesses } from '../../core/process/plugin-processes.js';
import { MemoryLogs, MemoryPids } from '../../core/testing/index.js';
import { FIXTURE, isAlive, killAll, readStat, testTable, waitFor } from '../helpers/project.js';

const identity = (pid: number): ProcessIdentity => ({ pid, startTime: readStat(pid)!.startTime });

/** Plugins' view of one service whose leader `leader()` names (it may change: a restart). */
const viewOf = (service: string, leader: () => ProcessIdentity) =>
  createPluginProcesses({
    running: { all: () => [{ service, identity: leader() }], of: (s) => (s === service ? leader() : null) },
    pids: new MemoryPids(),
    runner: {} as never,
    logs: new MemoryLogs(),
    root: process.cwd(),
    table: testTable,
  });

describe("plugins' view of a service's processes", () => {
  it('sees the process of a service restarted a moment ago, not the snapshot of the one before', async () => {
    const first = spawn(process.execPath, [FIXTURE], { stdio: 'ignore', detached: true });
    const pids = [first.pid!];
    try {
      await waitFor(() => isAlive(first.pid!), 'the first process');
      let leader = identity(first.pid!);
      const view = viewOf('web', () => leader)('test');
      expect(view.tree('web').map((p) => p.pid)).toEqual([first.pid]);

      // restarted: a new leader, well within the 250 ms a snapshot of /proc serves
      const second = spawn(process.execPath, [FIXTURE], { stdio: 'ignore', detached: true });
      pids.push(second.pid!);
      await waitFor(() => readStat(second.pid!), 'the second process');
      leader = identity(second.pid!);
      expect(view.tree('web').map((p) => p.pid)).toEqual([second.pid]);
      expect(view.ownerOf({ pid: second.pid!, startTime: leader.startTime })).toBe('web');
    } finally {
      killAll(pids);
    }
  });

  it('gives both the CPU of a busy service over a real interval, not over the millisecond between them', async () => {
    const busy = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore', detached: true });
    try {
      await waitFor(() => isAlive(busy.pid!), 'the busy process');
      const leader = identity(busy.pid!);
      const forPlugin = viewOf('hog', () => leader);
      const [guard, history] = [forPlugin('memory-guard'), forPlugin('history')];
      await guard.usage('hog');
      // a round a second later, then one soon after it: each time memory-guard asks a
      // millisecond after history, as when their intervals share the clock's grid.
      // procps' ps prints CPU time in whole seconds (the portable pass on Linux): a share over a
      // second or two may read 0 there, so only the agreement of the two is asked of it
      const coarse = testTable.name === 'portable' && process.platform === 'linux';
      for (const wait of [1100, 300]) {
        await new Promise((resolve) => setTimeout(resolve, wait));
        const before = (await history.usage('hog'))!.cpuPercent;
        const after = (await guard.usage('hog'))!.cpuPercent;
        if (!coarse) expect(before).toBeGreaterThan(20); // a core's worth, less on a loaded machine; never 0
        // a share over a millisecond reads 0 or thousands: far outside either bound (whole
        // seconds of ps, read on a loaded machine, move a real share by more than 10)
        expect(Math.abs(after - before)).toBeLessThan(coarse ? 25 : 10);
      }
    } finally {
      killAll([busy.pid!]);
    }
  });
});
