import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ProcStat } from '../../core/di/contracts.js';
import { stopProcessTree } from '../../core/process/stop.js';
import { pickTable } from '../../core/process/table/pick.js';
import { killAll, waitFor } from '../helpers/project.js';

// A stop looks for what escaped a service's group by the marker in its environment. At 3,000
// services it read 3,000 environments for each reading: the other services' own groups, where no
// marker but theirs can be. It looks outside the groups of the leaders it spawned.

/** A service's marker (`NAME=value`) and an environment that carries it. */
function aMarker(): { marker: string; marked: NodeJS.ProcessEnv } {
  const value = randomUUID();
  return { marker: `ZMART_TEST_MARK=${value}`, marked: { ...process.env, ZMART_TEST_MARK: value } };
}

/** A `sleep` in a session of its own, a child of this process. */
const sleeper = (env?: NodeJS.ProcessEnv) => spawn('sleep', ['30'], { detached: true, stdio: 'ignore', env });

describe('the marker search of a stop', () => {
  it("skips the groups of the leaders it spawned, and still finds what escaped, a child of its own too (as orphans are a container init's)", async () => {
    const table = pickTable();
    const { marker, marked } = aMarker();
    const a = sleeper(marked);
    const b = sleeper();
    // escaped from a's tree: a session of its own, a child of this process, a's marker
    const e = sleeper(marked);
    try {
      const sa = await waitFor(() => table.stat(a.pid!), 'a running');
      const sb = await waitFor(() => table.stat(b.pid!), 'b running');
      await waitFor(() => table.stat(e.pid!), 'e running');
      const asked: number[] = [];
      const counting = Object.assign(Object.create(Object.getPrototypeOf(table)), table, {
        carrying: (m: string, candidates: ProcStat[]) => {
          asked.push(...candidates.map((c) => c.pid));
          return table.carrying(m, candidates);
        },
      });
      const gone = (child: typeof a) => new Promise((resolve) => child.once('exit', resolve));
      const [aGone, eGone] = [gone(a), gone(e)];
      const result = await stopProcessTree(
        { pid: a.pid!, startTime: sa.startTime },
        {
          table: counting,
          signal: 'SIGTERM',
          timeoutMs: 5000,
          marker,
          leaderExited: aGone,
          spawned: new Map([
            [a.pid!, sa.startTime],
            [b.pid!, sb.startTime],
          ]),
        },
      );
      expect(result).toEqual({ forced: false, left: [] });
      await eGone; // the escaped one was stopped with it
      expect(b.exitCode === null && b.signalCode === null).toBe(true); // the other service untouched
      expect(asked).toContain(e.pid);
      expect(asked).not.toContain(a.pid);
      expect(asked).not.toContain(b.pid);
    } finally {
      killAll([a.pid!, b.pid!, e.pid!]);
    }
  });

  it('stops an escaped process its first look caught mid-exec, once it is told (the stop does not end with it running)', async () => {
    const table = pickTable();
    const { marker, marked } = aMarker();
    const a = sleeper(marked);
    const e = sleeper(marked);
    try {
      const sa = await waitFor(() => table.stat(a.pid!), 'a running');
      await waitFor(() => table.stat(e.pid!), 'e running');
      // The moment Linux shows no environment (between two images) cannot be held: the table's
      // first answer about e says so, as the kernel's would; every later answer is the table's own.
      let first = true;
      const midExec = Object.assign(Object.create(Object.getPrototypeOf(table)), table, {
        carrying: (m: string, candidates: ProcStat[]) => {
          const look = table.carrying(m, candidates);
          if (!first || !look.carriers.some((c) => c.pid === e.pid)) return look;
          first = false;
          return { carriers: look.carriers.filter((c) => c.pid !== e.pid), unsettled: [...look.unsettled, ...look.carriers.filter((c) => c.pid === e.pid)] };
        },
      });
      const result = await stopProcessTree({ pid: a.pid!, startTime: sa.startTime }, { table: midExec, signal: 'SIGTERM', timeoutMs: 5000, marker });
      expect(first).toBe(false);
      expect(result).toEqual({ forced: false, left: [] });
      // gone when the stop returns (a zombie until this process reaps it): its exit follows at once
      await waitFor(() => e.signalCode, 'e ended by the stop', 2000);
      expect(e.signalCode).toBe('SIGTERM');
    } finally {
      killAll([a.pid!, e.pid!]);
    }
  });
});
