import type { ProcessIdentity, ProcessInspector, ProcessTable, ProcessView } from '../di/contracts.js';
import { isRecordedProcess, type ProcStat } from './proc.js';

/** What zmart shows of a process: its identity, family and command line. */
export const processView = (table: ProcessTable, s: ProcStat): ProcessView => ({
  pid: s.pid,
  ppid: s.ppid,
  pgid: s.pgid,
  startTime: s.startTime,
  command: table.commandLine(s.pid) ?? '',
});

/** The process table's answers about one process, for core's service and boot code. */
export class ProcInspector implements ProcessInspector {
  constructor(private readonly table: ProcessTable) {}

  info(pid: number): ProcessView | null {
    const stat = this.table.stat(pid);
    return stat && stat.state !== 'Z' ? processView(this.table, stat) : null;
  }

  isAlive(identity: ProcessIdentity): boolean {
    return isRecordedProcess(this.table, identity);
  }
}
