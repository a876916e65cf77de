import type { ProcessTable, TreeUsage } from '../di/contracts.js';
import { closeSync, readdirSync, readlinkSync } from 'node:fs';

type Pidusage = typeof import('pidusage');

/**
 * CPU and memory of process trees through pidusage (imported on first use). pidusage keeps a
 * history and an open /proc/PID/stat file per pid until `maxage` (60 s) passes; its clear()
 * drops the history but leaves those files open (pidusage 4.1.0). So, as soon as a pid it has
 * seen is dead, we clear it and close the files it left for the pids we sampled: nothing is
 * held for dead processes (the next CPU figure of the live ones is then their lifetime
 * average instead of the last interval's).
 */
/** How long an answer is given again for the same pids (CPU shares need a longer window than a tick). */
const REUSE_MS = 1000;

export class UsageSampler {
  private pidusage: Promise<Pidusage> | null = null;
  private readonly seen = new Set<number>();
  /** The pids each caller (a service) had at its last sample: only those can have died since. */
  private readonly previous = new Map<string, number[]>();
  /** Each caller's last answer: given again for the same pids within a second (see below). */
  private readonly answered = new Map<string, { at: number; pids: string; usage: TreeUsage | null }>();

  constructor(private readonly table: ProcessTable) {}

  /**
   * pidusage measures CPU since its own last call for a pid, so a second plugin asking in the
   * same tick (history and memory-guard share the clock's grid) would get the share of the
   * millisecond between them: it gets the first one's answer instead.
   */
  async sample(key: string, pids: number[], now = Date.now()): Promise<TreeUsage | null> {
    const last = this.answered.get(key);
    if (last && last.pids === pids.join(',') && now >= last.at && now - last.at < REUSE_MS) return last.usage;
    const usage = await this.read(key, pids);
    this.answered.set(key, { at: now, pids: pids.join(','), usage });
    return usage;
  }

  private async read(key: string, pids: number[]): Promise<TreeUsage | null> {
    const before = this.previous.get(key) ?? [];
    this.previous.set(key, pids);
    if (pids.length === 0) return null;
    const pidusage = await (this.pidusage ??= import('pidusage').then((m) => ((m as { default?: Pidusage }).default ?? m) as Pidusage));
    const results = await Promise.allSettled(pids.map((pid) => pidusage(pid)));
    const processes: TreeUsage['processes'] = [];
    results.forEach((result, i) => {
      if (result.status !== 'fulfilled') return;
      this.seen.add(pids[i]);
      processes.push({
        pid: pids[i],
        command: this.table.commandLine(pids[i]!) ?? '',
        rssBytes: result.value.memory,
        cpuPercent: Math.round(result.value.cpu * 10) / 10,
      });
    });
    const gone = before.filter((pid) => !pids.includes(pid));
    if (gone.length > 0 || processes.length < pids.length) this.forgetDead(pidusage, [...gone, ...pids]);
    if (processes.length === 0) return null;
    return {
      rssBytes: processes.reduce((sum, p) => sum + p.rssBytes, 0),
      cpuPercent: Math.round(processes.reduce((sum, p) => sum + p.cpuPercent, 0) * 10) / 10,
      processes,
    };
  }

  /** Pids pidusage still holds something for. */
  get tracked(): number {
    return this.seen.size;
  }

  private forgetDead(pidusage: Pidusage, suspects: number[]): void {
    const dead = suspects
      .filter((pid) => this.seen.has(pid))
      .filter((pid) => {
        const stat = this.table.stat(pid);
        return stat === null || stat.state === 'Z';
      });
    if (dead.length === 0) return;
    pidusage.clear();
    closeStatFiles(this.seen);
    this.seen.clear();
  }
}

/** Closes this process's open files on /proc/PID/stat for these pids (what pidusage held). */
function closeStatFiles(pids: Set<number>): void {
  let fds: string[];
  try {
    fds = readdirSync('/proc/self/fd');
  } catch {
    return;
  }
  for (const fd of fds) {
    try {
      const match = /^\/proc\/(\d+)\/stat$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (match && pids.has(Number(match[1]))) closeSync(Number(fd));
    } catch {
      // closed meanwhile
    }
  }
}
