import { readdirSync } from 'node:fs';
import type { PortListener } from '../../../di/contracts.js';
import { readCommandLine, readStat, type ProcStat } from './proc-files.js';
import { readTcpSockets, socketInodes, type TcpSocket } from './sockets.js';

/** One look at the machine's TCP sockets and who holds them, reused for a moment. */
interface Snapshot {
  at: number;
  sockets: TcpSocket[];
  /** socket inode -> pid, filled on first need (it reads every process's fd folder). */
  owners: Map<number, number> | null;
}

const TTL_MS = 250;

/**
 * Who listens on which TCP port, from /proc: one per process table (the table's own state,
 * not the module's). A look at the sockets is kept TTL_MS; who held each listening socket is
 * remembered while that holder lives: a socket's inode is unique while it exists, so the next
 * look needs no walk through every process's fd folder (~100 readlinks a process).
 */
export class PortOwners {
  private snapshot: Snapshot | null = null;
  private readonly knownHolders = new Map<number, { pid: number; startTime: number }>();

  /** Forgets the snapshot: after a process was stopped, say. */
  forget(): void {
    this.snapshot = null;
  }

  /**
   * Who listens on a TCP port: the LISTEN sockets for it in /proc/net/tcp and tcp6, and the
   * processes holding those sockets (found through /proc/PID/fd). Null when /proc/net is not
   * there (not Linux): the caller cannot tell. One reading serves every port asked about in
   * the next 250 ms (a check of every service in one go reads /proc once).
   */
  listeners(port: number): PortListener[] | null {
    const snap = this.current();
    if (snap.sockets.length === 0 && !hasProcNet()) return null;
    const listening = snap.sockets.filter((s) => s.state === 'LISTEN' && s.localPort === port);
    if (listening.length === 0) return [];
    const found: PortListener[] = [];
    const seen = new Set<number>();
    for (const socket of listening) {
      const stat = this.holderOf(snap, socket.inode);
      if (!stat || seen.has(stat.pid)) continue;
      seen.add(stat.pid);
      this.knownHolders.set(socket.inode, { pid: stat.pid, startTime: stat.startTime });
      found.push({
        pid: stat.pid,
        startTime: stat.startTime,
        ppid: stat.ppid,
        pgid: stat.pgid,
        command: readCommandLine(stat.pid) ?? '',
        address: socket.local,
        port,
      });
    }
    return found;
  }

  private current(): Snapshot {
    const now = Date.now();
    if (!this.snapshot || now - this.snapshot.at > TTL_MS) this.snapshot = { at: now, sockets: readTcpSockets(), owners: null };
    return this.snapshot;
  }

  /** The live process holding a socket: the one remembered if it still lives, else found anew. */
  private holderOf(snap: Snapshot, inode: number): ProcStat | null {
    const known = this.knownHolders.get(inode);
    if (known) {
      const stat = readStat(known.pid);
      if (stat && stat.state !== 'Z' && stat.startTime === known.startTime) return stat;
      this.knownHolders.delete(inode);
    }
    if (this.knownHolders.size > 4096) this.knownHolders.clear(); // sockets long gone
    const pid = owners(snap).get(inode);
    const stat = pid === undefined ? null : readStat(pid);
    // A socket seen a moment ago whose holder has since exited (a zombie holds no sockets): nobody's.
    return stat && stat.state !== 'Z' ? stat : null;
  }
}

function owners(snap: Snapshot): Map<number, number> {
  if (snap.owners) return snap.owners;
  const map = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    for (const inode of socketInodes(Number(name))) map.set(inode, Number(name));
  }
  snap.owners = map;
  return map;
}

function hasProcNet(): boolean {
  try {
    readdirSync('/proc/net');
    return true;
  } catch {
    return false;
  }
}
