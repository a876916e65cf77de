import type { ProcessIdentity, ProcessInspector, ProcessView } from '../di/contracts.js';
import { isRecordedProcess, readCommandLine, readStat, type ProcStat } from './proc.js';

/** What zmart shows of a process: its identity, family and command line. */
export const processView = (s: ProcStat): ProcessView => ({
  pid: s.pid,
  ppid: s.ppid,
  pgid: s.pgid,
  startTime: s.startTime,
  command: readCommandLine(s.pid) ?? '',
});

/** Linux /proc answers about processes. */
export class ProcInspector implements ProcessInspector {
  info(pid: number): ProcessView | null {
    const stat = readStat(pid);
    return stat && stat.state !== 'Z' ? processView(stat) : null;
  }

  isAlive(identity: ProcessIdentity): boolean {
    return isRecordedProcess(identity);
  }
}
