import { readdirSync, readFileSync } from 'node:fs';
import type { ProcessIdentity, TreeUsage } from '../di/contracts.js';
import { readCommandLine, readStat } from './proc.js';

/** Bytes per page, found once from this process's own resident pages and RSS. */
let pageBytes: number | null = null;
function pageSize(): number {
  if (pageBytes === null) {
    const pages = Number(readFileSync('/proc/self/statm', 'utf8').split(' ')[1]);
    const estimate = process.memoryUsage().rss / Math.max(1, pages);
    pageBytes = 2 ** Math.round(Math.log2(estimate)); // 4096 on most machines, 16K or 64K on some arm64
  }
  return pageBytes;
}

/** Resident bytes of one process from /proc/PID/statm (a shorter read than status), 0 when gone. */
function residentBytes(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * pageSize();
  } catch {
    return 0;
  }
}

/** The children of every thread of `pid` (/proc/PID/task/TID/children). */
function childrenOf(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const tid of tasks) {
    try {
      for (const child of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ')) if (child) children.push(Number(child));
    } catch {
      // the thread ended meanwhile
    }
  }
  return children;
}

/** True where the kernel lists children per thread (CONFIG_PROC_CHILDREN; every mainstream distribution). */
export const canWalkTrees = (() => {
  let known: boolean | null = null;
  return () => {
    if (known === null) {
      try {
        readFileSync(`/proc/${process.pid}/task/${process.pid}/children`);
        known = true;
      } catch {
        known = false;
      }
    }
    return known;
  };
})();

/**
 * Memory and CPU of process trees, read from each leader down (stat, statm and the children
 * lists of the tree's own processes), not from a scan of every process on the machine: a
 * round costs what the fleet has, not what the machine runs. CPU is the share of one core
 * since the previous sample of the same leader (its lifetime average at the first). A process
 * that left the tree (a daemon that double-forked) is not counted.
 */
export class TreeSampler {
  private readonly previous = new Map<string, { leader: string; ticks: number; at: number; byPid: Map<number, number> }>();

  sample(key: string, leader: ProcessIdentity, now = Date.now()): TreeUsage | null {
    const root = readStat(leader.pid);
    if (!root || root.state === 'Z' || root.startTime !== leader.startTime) {
      this.previous.delete(key);
      return null;
    }
    const processes: Array<{ pid: number; rssBytes: number; ticks: number }> = [];
    const queue = [root.pid];
    const seen = new Set<number>();
    while (queue.length > 0) {
      const pid = queue.shift()!;
      if (seen.has(pid)) continue;
      seen.add(pid);
      const stat = pid === root.pid ? root : readStat(pid);
      if (!stat || stat.state === 'Z') continue;
      processes.push({ pid, rssBytes: residentBytes(pid), ticks: stat.cpuTicks });
      queue.push(...childrenOf(pid));
    }
    const ticks = processes.reduce((sum, p) => sum + p.ticks, 0);
    const identity = `${leader.pid}:${leader.startTime}`;
    const before = this.previous.get(key);
    this.previous.set(key, { leader: identity, ticks, at: now, byPid: new Map(processes.map((p) => [p.pid, p.ticks])) });
    const since = before && before.leader === identity && now > before.at ? before : null;
    // ticks are hundredths of a CPU second: over the seconds between samples, in % of one core
    const share = (delta: number) => (since ? Math.max(0, delta / ((now - since.at) / 1000)) : 0);
    const cpuPercent = since ? share(ticks - since.ticks) : lifetimePercent(ticks, root.startTime);
    return {
      rssBytes: processes.reduce((sum, p) => sum + p.rssBytes, 0),
      cpuPercent: Math.round(cpuPercent * 10) / 10,
      processes: processes.map((p) => ({
        pid: p.pid,
        rssBytes: p.rssBytes,
        cpuPercent: Math.round(share(p.ticks - (since?.byPid.get(p.pid) ?? p.ticks)) * 10) / 10,
        // read only by whoever names the processes (a restart's detail)
        get command() {
          return readCommandLine(p.pid) ?? '';
        },
      })),
    };
  }

  /** Drops what is kept for a key (its service is gone). */
  forget(key: string): void {
    this.previous.delete(key);
  }
}

/** Average % of one core over the process's life (ticks and start time are in 1/100 s since boot). */
function lifetimePercent(ticks: number, startTime: number): number {
  const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return ticks / Math.max(0.001, uptime - startTime / 100);
}
