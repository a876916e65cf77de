import { readFileSync, statSync } from 'node:fs';
import type { HeldSocket, ProcessTable, ProcStat } from '../../../di/contracts.js';
import { PortOwners } from './port-owners.js';
import { readAllStats, readCommandLine, readStat, startTimeToEpochMs } from './proc-files.js';
import { childrenOf, listsChildren, residentBytes } from './tree-files.js';
import { readTcpSockets, socketInodes } from './sockets.js';

/** Linux's answers, from /proc: a file read per question, no command run. Its port look-ups are its own state. */
export function createLinuxTable(): ProcessTable {
  const ports = new PortOwners();
  return {
    name: 'linux',
    startTimeGrainMs: 10,
    pollMs: 20,
    stat: readStat,
    all: readAllStats,
    commandLine: readCommandLine,
    rssBytes: residentBytes,
    startedAtMs: startTimeToEpochMs,
    listeners: (port) => ports.listeners(port),
    sockets(pids: number[]): HeldSocket[] | null {
      const owner = new Map<number, number>();
      for (const pid of pids) for (const inode of socketInodes(pid)) owner.set(inode, pid);
      return readTcpSockets().flatMap((s) => {
        const pid = owner.get(s.inode);
        return pid === undefined ? [] : [{ pid, local: s.local, localPort: s.localPort, state: s.state }];
      });
    },
    carrying(marker: string, candidates: ProcStat[]): ProcStat[] {
      // root runs services as other users (`user`): any user's process may carry its marker
      const uid = process.getuid?.() === 0 ? undefined : process.getuid?.();
      return candidates.filter((s) => hasMarker(s.pid, marker, uid));
    },
    forget: () => ports.forget(),
    // looked at on first use, not at import
    get walk() {
      return listsChildren() ? { children: childrenOf } : undefined;
    },
  };
}

function hasMarker(pid: number, marker: string, uid: number | undefined): boolean {
  try {
    if (uid !== undefined && statSync(`/proc/${pid}`).uid !== uid) return false; // only our own user's
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(marker);
  } catch {
    return false;
  }
}
