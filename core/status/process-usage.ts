import type { ProcessTable } from '../di/contracts.js';
import { descendantsOf, ticksToSeconds, type ProcStat } from '../process/proc.js';

export interface TreeUsage {
  rssBytes: number;
  cpuPercent: number;
  processes: number;
}

/** Memory and CPU of a process and all its descendants, read from the process table; null when it is gone. */
export function treeUsage(table: ProcessTable, pid: number, startTime: number, now: number, stats: ProcStat[] = table.all()): TreeUsage | null {
  const leader = stats.find((s) => s.pid === pid && s.startTime === startTime && s.state !== 'Z');
  if (!leader) return null;
  const tree = [leader, ...descendantsOf(pid, stats).filter((s) => s.state !== 'Z')];
  const lifeSeconds = Math.max(0.001, (now - table.startedAtMs(leader.startTime)) / 1000);
  const cpuSeconds = ticksToSeconds(tree.reduce((sum, s) => sum + s.cpuTicks, 0));
  return {
    rssBytes: tree.reduce((sum, s) => sum + (s.rssBytes ?? table.rssBytes(s.pid)), 0),
    cpuPercent: Math.round((cpuSeconds / lifeSeconds) * 1000) / 10,
    processes: tree.length,
  };
}
