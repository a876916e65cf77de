import type { ProcessIdentity, ProcessInfo, ProcessInspector } from '../di/tokens.js';
import { descendantsOf, isSameProcess, readAllStats, readCommandLine, readStat, startTimeToEpochMs, type ProcStat } from './proc.js';

const toInfo = (s: ProcStat): ProcessInfo => ({
  pid: s.pid,
  ppid: s.ppid,
  pgid: s.pgid,
  startTime: s.startTime,
  command: readCommandLine(s.pid) ?? '',
});

/** Linux /proc answers about processes. */
export class ProcInspector implements ProcessInspector {
  info(pid: number): ProcessInfo | null {
    const stat = readStat(pid);
    return stat && stat.state !== 'Z' ? toInfo(stat) : null;
  }

  isAlive(identity: ProcessIdentity): boolean {
    return isSameProcess(identity.pid, identity.startTime);
  }

  tree(pid: number): ProcessInfo[] {
    const stats = readAllStats();
    const root = stats.find((s) => s.pid === pid && s.state !== 'Z');
    if (!root) return [];
    return [root, ...descendantsOf(pid, stats).filter((s) => s.state !== 'Z')].map(toInfo);
  }

  startedAt(startTime: number): number {
    return startTimeToEpochMs(startTime);
  }
}
