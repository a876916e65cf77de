import { spawn } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProcStat } from '../../core/di/contracts.js';
import { EnvironReader } from '../../core/process/table/linux/environ.js';
import { readStat } from '../../core/process/table/linux/proc-files.js';
import { isAlive, killAll, tempDir, waitFor } from '../helpers/project.js';
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
      expect(reader.carrying('ZMART_INCARNATION=run-1', stats).carriers.map((s) => s.pid)).toEqual([marked.pid]);
      expect(reader.carrying('ZMART_INCARNATION=run-2', stats).carriers.map((s) => s.pid)).toEqual([other.pid]);
      // a process's marker is read once: asked again, the answer is the one read (the process is gone, the reading is not)
      killAll([marked.pid!]);
      await waitFor(() => !isAlive(marked.pid!), 'the first one gone');
      now += 5_000;
      expect(reader.carrying('ZMART_INCARNATION=run-1', stats).carriers.map((s) => s.pid)).toEqual([marked.pid]);
      // a pid handed out again is another start time: read afresh
      expect(reader.carrying('ZMART_INCARNATION=run-1', [{ ...stats[0]!, startTime: stats[0]!.startTime + 1 }]).carriers).toEqual([]);
      // and after a while every process is read again
      now += 10_000;
      expect(reader.carrying('ZMART_INCARNATION=run-1', stats).carriers).toEqual([]);
      // another user's process is never taken (a uid nobody has)
      expect(new EnvironReader(4_000_000, () => now).carrying('ZMART_INCARNATION=run-2', stats).carriers).toEqual([]);
    } finally {
      killAll([marked.pid!, other.pid!]);
    }
  });

  it('says a process caught mid-exec (no environment, no command line, an image) is unsettled, keeps no answer for it, and tells it once it settles', () => {
    // No real process can be held between two images: a folder stands in for /proc at that moment.
    const proc = tempDir();
    try {
      const files = (pid: number, environ: string, cmdline: string, exe = true) => {
        mkdirSync(join(proc.dir, String(pid)), { recursive: true });
        writeFileSync(join(proc.dir, `${pid}/environ`), environ);
        writeFileSync(join(proc.dir, `${pid}/cmdline`), cmdline);
        if (exe) symlinkSync('/bin/sh', join(proc.dir, `${pid}/exe`));
      };
      const stat = (pid: number): ProcStat => ({ pid, ppid: 1, pgid: pid, state: 'S', startTime: 100, cpuTicks: 0, threads: 1 });
      files(11, '', ''); // mid-exec
      files(12, '', 'sleep\0'); // `env -i`: an empty environment for good
      files(13, '', '', false); // a kernel thread or a zombie: no image
      files(14, 'A=1\0ZMART_M=run-1\0', 'sleep\0');
      const reader = new EnvironReader(process.getuid!(), Date.now, proc.dir);
      const stats = [11, 12, 13, 14].map(stat);
      const first = reader.carrying('ZMART_M=run-1', stats);
      expect(first.carriers.map((s) => s.pid)).toEqual([14]);
      expect(first.unsettled.map((s) => s.pid)).toEqual([11]);
      // the exec finishes: asked again of the same reading, or of a list of its own, it is told
      writeFileSync(join(proc.dir, '11/environ'), 'ZMART_M=run-1\0');
      writeFileSync(join(proc.dir, '11/cmdline'), 'sleep\0');
      expect(reader.carrying('ZMART_M=run-1', stats)).toEqual({ carriers: [stats[3], stats[0]], unsettled: [] });
      expect(reader.carrying('ZMART_M=run-1', [stat(11)])).toEqual({ carriers: [stat(11)], unsettled: [] });
    } finally {
      proc.cleanup();
    }
  });

  readsProc()("never takes a marked process it caught right after a shell's fork for unmarked (it is either told or unsettled, then told)", async () => {
    const reader = new EnvironReader(process.getuid!());
    const pids: number[] = [];
    try {
      let caughtMidExec = 0;
      for (let i = 0; i < 40; i++) {
        const shell = spawn('sh', ['-c', 'sleep 30 & echo $!'], { env: { ...process.env, ZMART_M: 'fork' }, stdio: ['ignore', 'pipe', 'ignore'] });
        const pid = await new Promise<number>((resolve) => shell.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
        pids.push(pid);
        const stat = readStat(pid)!;
        const look = reader.carrying('ZMART_M=fork', [stat]);
        expect([...look.carriers, ...look.unsettled]).toEqual([stat]);
        if (look.unsettled.length > 0) caughtMidExec++;
        await waitFor(() => reader.carrying('ZMART_M=fork', [stat]).carriers.length === 1, 'the sleep told as marked');
      }
      // How often a read lands mid-exec varies with the machine (~1 in 10 here): printed, not asserted.
      console.info(`caught mid-exec: ${caughtMidExec} of 40`);
    } finally {
      killAll(pids);
    }
  });
});
