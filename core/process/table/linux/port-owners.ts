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
let snapshot: Snapshot | null = null;

/**
 * Who held each listening socket when last looked up: a socket's inode is unique while it
 * exists, so while its holder lives (same pid and start time) the answer stands, and the
 * next look needs no walk through every process's fd folder (~100 readlinks a process).
 */
const knownHolders = new Map<number, { pid: number; startTime: number }>();

/** Forgets the snapshot: after a process was stopped, say. */
export function invalidatePortSnapshot(): void {
  snapshot = null;
}

function current(): Snapshot {
  const now = Date.now();
  if (!snapshot || now - snapshot.at > TTL_MS) snapshot = { at: now, sockets: readTcpSockets(), owners: null };
  return snapshot;
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

/**
 * Who listens on a TCP port: the LISTEN sockets for it in /proc/net/tcp and tcp6, and the
 * processes holding those sockets (found through /proc/PID/fd). Null when /proc/net is not
 * there (not Linux): the caller cannot tell. One reading serves every port asked about in the
 * next 250 ms (a check of every service in one go reads /proc once).
 */
export function portListeners(port: number): PortListener[] | null {
  const snap = current();
  if (snap.sockets.length === 0 && !hasProcNet()) return null;
  const listening = snap.sockets.filter((s) => s.state === 'LISTEN' && s.localPort === port);
  if (listening.length === 0) return [];
  const found: PortListener[] = [];
  const seen = new Set<number>();
  for (const socket of listening) {
    const stat = holderOf(snap, socket.inode);
    if (!stat || seen.has(stat.pid)) continue;
    seen.add(stat.pid);
    knownHolders.set(socket.inode, { pid: stat.pid, startTime: stat.startTime });
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

/** The live process holding a socket: the one remembered if it still lives, else found anew. */
function holderOf(snap: Snapshot, inode: number): ProcStat | null {
  const known = knownHolders.get(inode);
  if (known) {
    const stat = readStat(known.pid);
    if (stat && stat.state !== 'Z' && stat.startTime === known.startTime) return stat;
    knownHolders.delete(inode);
  }
  if (knownHolders.size > 4096) knownHolders.clear(); // sockets long gone
  const pid = owners(snap).get(inode);
  const stat = pid === undefined ? null : readStat(pid);
  // A socket seen a moment ago whose holder has since exited (a zombie holds no sockets): nobody's.
  return stat && stat.state !== 'Z' ? stat : null;
}

function hasProcNet(): boolean {
  try {
    readdirSync('/proc/net');
    return true;
  } catch {
    return false;
  }
}
