import type { ProcessIdentity, ProcessTable, ProcStat } from '../di/contracts.js';

export type { ProcStat };

/** CPU seconds for a count of hundredths (ProcStat.cpuTicks, in both tables). */
export const ticksToSeconds = (ticks: number): number => ticks / 100;

/**
 * True when `pid` is alive (not a zombie) and started at `startTime`. With ps the start time
 * is to the second: a pid handed out again within the same second as the one recorded would
 * pass, which needs the whole pid space (99,999 on macOS) used up within that second.
 */
export function isSameProcess(table: ProcessTable, pid: number, startTime: number): boolean {
  const stat = table.stat(pid);
  return stat !== null && stat.state !== 'Z' && stat.startTime === startTime;
}

/**
 * A recorded process (a pid file's) is still the one recorded: pid and start time, and where
 * start times are only to the second (ps), the marker zmart put in its environment too. That
 * marker stands for the command in the proof: a shell that execs its command changes the
 * command line a moment after the pid file is written, never the environment.
 */
export function isRecordedProcess(table: ProcessTable, identity: ProcessIdentity): boolean {
  const stat = table.stat(identity.pid);
  if (stat === null || stat.state === 'Z' || stat.startTime !== identity.startTime) return false;
  if (table.startTimeGrainMs < 1000 || !identity.marker) return true;
  return table.carrying(identity.marker, [stat]).carriers.length === 1;
}

const pidIndex = new WeakMap<ProcStat[], Map<number, ProcStat>>();

/** The process with this pid in a snapshot, through an index built once per snapshot. */
export function statIn(stats: ProcStat[], pid: number): ProcStat | undefined {
  let byPid = pidIndex.get(stats);
  if (!byPid) {
    byPid = new Map(stats.map((s) => [s.pid, s]));
    pidIndex.set(stats, byPid);
  }
  return byPid.get(pid);
}

const indexes = { pgid: new WeakMap<ProcStat[], Map<number, ProcStat[]>>(), ppid: new WeakMap<ProcStat[], Map<number, ProcStat[]>>() };

/** A snapshot's processes by process group or by parent, built once per snapshot (a fleet-wide stop asks it once per service). */
function indexBy(stats: ProcStat[], key: 'pgid' | 'ppid'): Map<number, ProcStat[]> {
  let index = indexes[key].get(stats);
  if (!index) {
    index = new Map();
    for (const s of stats) {
      const list = index.get(s[key]);
      if (list) list.push(s);
      else index.set(s[key], [s]);
    }
    indexes[key].set(stats, index);
  }
  return index;
}

/** The members of process group `pgid` in a snapshot. */
export const groupIn = (stats: ProcStat[], pgid: number): ProcStat[] => indexBy(stats, 'pgid').get(pgid) ?? [];

/** parent pid -> children (a supervisor has 1,000 children, say). */
const childrenOf = (stats: ProcStat[]): Map<number, ProcStat[]> => indexBy(stats, 'ppid');

/** The last reading of every process, per table (the table's, kept beside it, not the module's). */
const shared = new WeakMap<ProcessTable, { at: number; stats: ProcStat[] }>();

/**
 * All live processes' stats, read at most `maxAgeMs` ago: many stops or checks at once (a
 * fleet of 1,000 stopping) share one reading instead of each reading every process.
 */
export function recentStats(table: ProcessTable, maxAgeMs = 100): ProcStat[] {
  const last = shared.get(table);
  if (last && Date.now() - last.at <= maxAgeMs) return last.stats;
  const stats = table.all();
  shared.set(table, { at: Date.now(), stats });
  return stats;
}

/** All descendants of `pid` (children, grandchildren...), from one snapshot. */
export function descendantsOf(pid: number, stats: ProcStat[]): ProcStat[] {
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
