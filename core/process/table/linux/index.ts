import type { HeldSocket, ProcessTable } from '../../../di/contracts.js';
import { EnvironReader } from './environ.js';
import { PortOwners } from './port-owners.js';
import { readAllStats, readCommandLine, readStat, startTimeToEpochMs } from './proc-files.js';
import { childrenOf, listsChildren, residentBytes } from './tree-files.js';
import { readTcpSockets, socketInodes } from './sockets.js';

/** Linux's answers, from /proc: a file read per question, no command run. Its port look-ups are its own state. */
export function createLinuxTable(): ProcessTable {
  const ports = new PortOwners();
  // root runs services as other users (`user`): any user's process may carry its marker
  const environs = new EnvironReader(process.getuid?.() === 0 ? null : (process.getuid?.() ?? null));
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
    carrying: (marker, candidates) => environs.carrying(marker, candidates),
    forget: () => ports.forget(),
    // looked at on first use, not at import
    get walk() {
      return listsChildren() ? { children: childrenOf } : undefined;
    },
  };
}
