import { readFileSync, readdirSync } from 'node:fs';

/** What /proc/PID/stat tells about one process. */
export interface ProcStat {
  pid: number;
  ppid: number;
  pgid: number;
  /** One-letter state: R, S, D, Z, T... */
  state: string;
  /** Start time in clock ticks after boot (field 22): with the pid, a process's identity. */
  startTime: number;
  /** CPU time used, user + system, in clock ticks (fields 14 and 15). */
  cpuTicks: number;
  /** Threads (field 20): each has its own list of children. */
  threads: number;
}

/** Parses /proc/PID/stat; null when the process is gone (or never was). */
export function readStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command (field 2) is in parentheses and may hold spaces or ')': split after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return {
    pid,
    state: rest[0],
    ppid: Number(rest[1]),
    pgid: Number(rest[2]),
    startTime: Number(rest[19]),
    cpuTicks: Number(rest[11]) + Number(rest[12]),
    threads: Number(rest[17]),
  };
}

/** The process's argv joined by spaces, or null when it is gone. */
export function readCommandLine(pid: number): string | null {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter(Boolean).join(' ');
  } catch {
    return null;
  }
}

/** Every live process's stat, read once: for walking trees and groups. */
export function readAllStats(): ProcStat[] {
  const stats: ProcStat[] = [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return stats;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) stats.push(stat);
  }
  return stats;
}

const childrenIndex = new WeakMap<ProcStat[], Map<number, ProcStat[]>>();

/** parent pid -> children, built once per snapshot (a supervisor has 1,000 children, say). */
function childrenOf(stats: ProcStat[]): Map<number, ProcStat[]> {
  let byParent = childrenIndex.get(stats);
  if (!byParent) {
    byParent = new Map();
    for (const s of stats) {
      const list = byParent.get(s.ppid);
      if (list) list.push(s);
      else byParent.set(s.ppid, [s]);
    }
    childrenIndex.set(stats, byParent);
  }
  return byParent;
}

let shared: { at: number; stats: ProcStat[] } | null = null;

/**
 * All live processes' stats, read at most `maxAgeMs` ago: many stops or checks at once (a
 * fleet of 1,000 stopping) share one reading instead of each reading all of /proc.
 */
export function recentStats(maxAgeMs = 100): ProcStat[] {
  if (!shared || Date.now() - shared.at > maxAgeMs) shared = { at: Date.now(), stats: readAllStats() };
  return shared.stats;
}

/** All descendants of `pid` (children, grandchildren...), from one snapshot of /proc. */
export function descendantsOf(pid: number, stats: ProcStat[] = readAllStats()): ProcStat[] {
  const byParent = childrenOf(stats);
  const found: ProcStat[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of byParent.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

/** True when `pid` is alive (not a zombie) and, if given, started at `startTime`. */
export function isSameProcess(pid: number, startTime: number): boolean {
  const stat = readStat(pid);
  return stat !== null && stat.state !== 'Z' && stat.startTime === startTime;
}

/** Linux's USER_HZ: clock ticks per second in /proc (100 on every mainstream architecture). */
const TICKS_PER_SECOND = 100;
/** Resident memory of one process in bytes (VmRSS), or 0 when it is gone. */
export function readRssBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU seconds for a count of clock ticks. */
export const ticksToSeconds = (ticks: number): number => ticks / TICKS_PER_SECOND;

let bootTimeMs: number | null = null;

/** Epoch milliseconds at which a process with this start time (in ticks) started. */
export function startTimeToEpochMs(startTime: number): number {
  if (bootTimeMs === null) {
    try {
      const line = readFileSync('/proc/stat', 'utf8')
        .split('\n')
        .find((l) => l.startsWith('btime '));
      bootTimeMs = line ? Number(line.split(' ')[1]) * 1000 : 0;
    } catch {
      bootTimeMs = 0;
    }
  }
  return bootTimeMs + (startTime / TICKS_PER_SECOND) * 1000;
}
