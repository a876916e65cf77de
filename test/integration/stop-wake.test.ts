import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { stopProcessTree } from '../../core/process/stop.js';
import { pickTable } from '../../core/process/table/pick.js';
import { killAll, waitFor } from '../helpers/project.js';

// A fleet-wide stop paces its looks at the processes (3,000 stops would take the event loop
// whole): each looks again only at its turn. A leader zmart spawned says when it exits: the
// stop then looks at once instead of at its next turn.

describe('stopProcessTree, a leader this process spawned', () => {
  it("looks again as soon as the leader's exit is seen, not at the next turn", async () => {
    const real = pickTable();
    // a table whose turns are a minute apart: only the exit event can end the wait early
    const slow = Object.assign(Object.create(Object.getPrototypeOf(real)), real, { pollMs: 60_000 });
    // a leader that takes a moment to stop, so the first look after the signal finds it still there
    const child = spawn('/bin/sh', ['-c', 'trap "sleep 0.3; exit 0" TERM; while :; do sleep 0.05; done'], { detached: true, stdio: 'ignore' });
    try {
      const stat = await waitFor(() => real.stat(child.pid!), 'the leader running');
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const t0 = Date.now();
      const result = await stopProcessTree(
        { pid: child.pid!, startTime: stat.startTime },
        { table: slow, signal: 'SIGTERM', timeoutMs: 20_000, leaderExited: exited },
      );
      expect(result).toEqual({ forced: false, left: [] });
      expect(Date.now() - t0).toBeLessThan(10_000); // a turn would have been 20 s (the deadline)
    } finally {
      killAll([child.pid!]);
    }
  });

  it("does not read the leader's /proc entry between the signal and its exit, nor after it (a stop of 3,000 read each twice more for nothing)", async () => {
    const real = pickTable();
    const child = spawn('/bin/sh', ['-c', 'trap "sleep 0.3; exit 0" TERM; while :; do sleep 0.05; done'], { detached: true, stdio: 'ignore' });
    try {
      const stat = await waitFor(() => real.stat(child.pid!), 'the leader running');
      let foundAlive = 0;
      let readAfterExit = 0;
      // turns 10 ms apart: 0.3 s of looking at the leader would find it alive ~30 times
      const counting = Object.assign(Object.create(Object.getPrototypeOf(real)), real, {
        pollMs: 10,
        stat: (pid: number) => {
          const found = real.stat(pid);
          if (pid === child.pid && found && found.state !== 'Z') foundAlive += 1;
          if (pid === child.pid && child.exitCode !== null) readAfterExit += 1;
          return found;
        },
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const result = await stopProcessTree(
        { pid: child.pid!, startTime: stat.startTime },
        { table: counting, signal: 'SIGTERM', timeoutMs: 20_000, leaderExited: exited },
      );
      expect(result).toEqual({ forced: false, left: [] });
      expect(foundAlive).toBeLessThanOrEqual(1);
      expect(readAfterExit).toBe(0); // its exit, seen, says it is gone
    } finally {
      killAll([child.pid!]);
    }
  });
});
