import { spawn } from 'node:child_process';
import { describe, expect } from 'vitest';
import { EnvironReader } from '../../core/process/table/linux/environ.js';
import { readStat } from '../../core/process/table/linux/proc-files.js';
import { isAlive, killAll, waitFor } from '../helpers/project.js';
import { readsProc } from '../helpers/tools.js';

describe('EnvironReader (Linux)', () => {
  readsProc()('finds the processes carrying a marker, each environment read once and kept for the questions after it', async () => {
    const marked = spawn('sleep', ['30'], { env: { ...process.env, ZMART_INCARNATION: 'run-1' }, stdio: 'ignore', detached: true });
    const other = spawn('sleep', ['30'], { env: { ...process.env, ZMART_INCARNATION: 'run-2' }, stdio: 'ignore', detached: true });
    try {
      await waitFor(() => readStat(marked.pid!) && readStat(other.pid!), 'both running');
      const stats = [readStat(marked.pid!)!, readStat(other.pid!)!];
      let now = 1_000;
      const reader = new EnvironReader(process.getuid!(), () => now);
      expect(reader.carrying('ZMART_INCARNATION=run-1', stats).map((s) => s.pid)).toEqual([marked.pid]);
      expect(reader.carrying('ZMART_INCARNATION=run-2', stats).map((s) => s.pid)).toEqual([other.pid]);
      // a process's marker is read once: asked again, the answer is the one read (the process is gone, the reading is not)
      killAll([marked.pid!]);
      await waitFor(() => !isAlive(marked.pid!), 'the first one gone');
      now += 5_000;
      expect(reader.carrying('ZMART_INCARNATION=run-1', stats).map((s) => s.pid)).toEqual([marked.pid]);
      // a pid handed out again is another start time: read afresh
      expect(reader.carrying('ZMART_INCARNATION=run-1', [{ ...stats[0]!, startTime: stats[0]!.startTime + 1 }])).toEqual([]);
      // and after a while every process is read again
      now += 10_000;
      expect(reader.carrying('ZMART_INCARNATION=run-1', stats)).toEqual([]);
      // another user's process is never taken (a uid nobody has)
      expect(new EnvironReader(4_000_000, () => now).carrying('ZMART_INCARNATION=run-2', stats)).toEqual([]);
    } finally {
      killAll([marked.pid!, other.pid!]);
    }
  });
});
