import { spawn } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { describe, expect } from 'vitest';
import { UsageSampler } from '../../core/process/usage-sampler.js';
import { FIXTURE, killAll, waitFor, isAlive, testTable } from '../helpers/project.js';
import { readsProc } from '../helpers/tools.js';

/** Our own open files that point into /proc/PID/ (what pidusage keeps per pid). */
function procFdsFor(pid: number): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(`/proc/${pid}/`);
    } catch {
      return false;
    }
  }).length;
}

describe('UsageSampler', () => {
  readsProc()('samples RSS and CPU of real processes, and keeps no file or history for a dead one', async () => {
    const a = spawn(process.execPath, [FIXTURE], { stdio: 'ignore', detached: true });
    const b = spawn(process.execPath, [FIXTURE], { stdio: 'ignore', detached: true });
    try {
      await waitFor(() => isAlive(a.pid!) && isAlive(b.pid!), 'the processes');
      const sampler = new UsageSampler(testTable);
      let now = Date.now();
      const first = await sampler.sample('svc', [a.pid!, b.pid!], now);
      expect(first!.processes.map((p) => p.pid)).toEqual([a.pid, b.pid]);
      expect(first!.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
      expect(sampler.tracked).toBe(2);

      killAll([a.pid!]);
      await waitFor(() => !isAlive(a.pid!), 'a to die');
      const second = await sampler.sample('svc', [b.pid!], (now += 2000));
      expect(second!.processes.map((p) => p.pid)).toEqual([b.pid]);
      expect(sampler.tracked).toBe(0); // everything dropped once a pid died
      expect(procFdsFor(a.pid!)).toBe(0);
      expect(procFdsFor(b.pid!)).toBe(0); // cleared with the rest, reopened at the next sample
      expect((await sampler.sample('svc', [b.pid!], (now += 2000)))!.processes).toHaveLength(1);
      expect(procFdsFor(b.pid!)).toBe(1);
      // asked again within a second (a second plugin in the same tick): the same answer, not
      // the CPU of the millisecond since
      const again = await sampler.sample('svc', [b.pid!], now + 1);
      expect(again).toBe(await sampler.sample('svc', [b.pid!], now + 999));
      expect(await sampler.sample('svc', [b.pid!], now + 1000)).not.toBe(again);
    } finally {
      killAll([a.pid!, b.pid!]);
    }
  });
});
