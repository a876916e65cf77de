import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { TreeSampler } from '../../core/process/tree-sampler.js';
import { killAll, waitFor, readStat, testTable } from '../helpers/project.js';

describe('TreeSampler', () => {
  it('reads a real tree from its leader down: every process, their memory, and CPU since the last sample', async () => {
    // a shell that spins (one core) with a sleeping child
    const shell = spawn('/bin/sh', ['-c', 'sleep 30 & while :; do :; done'], { stdio: 'ignore', detached: true });
    const pid = shell.pid!;
    try {
      const leader = await waitFor(() => readStat(pid), 'the shell');
      const sampler = new TreeSampler(testTable);
      const first = await waitFor(() => {
        const usage = sampler.sample('spin', { pid, startTime: leader.startTime });
        // the child is a copy of the shell until it has exec'd sleep
        return usage?.processes.length === 2 && usage.processes[1]!.command === 'sleep 30' ? usage : null;
      }, 'the shell and its child, sleep');
      expect(first.processes[0].pid).toBe(pid);
      expect(first.rssBytes).toBe(first.processes[0].rssBytes + first.processes[1].rssBytes);
      expect(first.rssBytes).toBeGreaterThan(100 * 1024);
      // CPU over the interval since the last sample: the spinning shell, not the sleeper
      const busy = await waitFor(() => {
        const usage = sampler.sample('spin', { pid, startTime: leader.startTime });
        return usage && usage.cpuPercent > 30 ? usage : null;
      }, 'a share of a core');
      expect(busy.processes[1].cpuPercent).toBeLessThan(5);

      // another process at the same pid (another start time) is not this tree
      expect(sampler.sample('spin', { pid, startTime: leader.startTime + 1 })).toBeNull();
      killAll([pid]);
      await waitFor(() => sampler.sample('spin', { pid, startTime: leader.startTime }) === null, 'the tree to be gone');
    } finally {
      killAll([pid]);
    }
  });
});
