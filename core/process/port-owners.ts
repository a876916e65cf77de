import { readdirSync } from 'node:fs';
import type { PortListener } from '../di/tokens.js';
import { readCommandLine, readStat } from './proc.js';
import { readTcpSockets, socketInodes } from './sockets.js';

/**
 * Who listens on a TCP port: the LISTEN sockets for it in /proc/net/tcp and tcp6, and the
 * processes holding those sockets (found through /proc/PID/fd). Null when /proc/net is not
 * there (not Linux): the caller cannot tell.
 */
export function portListeners(port: number): PortListener[] | null {
  const sockets = readTcpSockets();
  if (sockets.length === 0 && !hasProcNet()) return null;
  const wanted = new Map(sockets.filter((s) => s.state === 'LISTEN' && s.localPort === port).map((s) => [s.inode, s]));
  if (wanted.size === 0) return [];
  const found: PortListener[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    for (const inode of socketInodes(pid)) {
      const socket = wanted.get(inode);
      if (!socket) continue;
      const stat = readStat(pid);
      if (!stat) continue;
      found.push({
        pid,
        startTime: stat.startTime,
        ppid: stat.ppid,
        pgid: stat.pgid,
        command: readCommandLine(pid) ?? '',
        address: socket.local,
        port,
      });
      break;
    }
  }
  return found;
}

function hasProcNet(): boolean {
  try {
    readdirSync('/proc/net');
    return true;
  } catch {
    return false;
  }
}
