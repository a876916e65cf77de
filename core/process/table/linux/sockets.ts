import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface TcpSocket {
  local: string;
  localPort: number;
  remote: string;
  remotePort: number;
  state: 'LISTEN' | 'ESTABLISHED' | 'OTHER';
  inode: number;
}

/** Every TCP socket on the machine, v4 and v6, from /proc/net/tcp and /proc/net/tcp6. */
export function readTcpSockets(): TcpSocket[] {
  return [...parseTable('/proc/net/tcp', false), ...parseTable('/proc/net/tcp6', true)];
}

/** The socket inodes a process holds open (from its /proc/PID/fd links). */
export function socketInodes(pid: number): Set<number> {
  const inodes = new Set<number>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(Number(match[1]));
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

function parseTable(path: string, v6: boolean): TcpSocket[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const sockets: TcpSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [local, localPort] = parseAddress(f[1], v6);
    const [remote, remotePort] = parseAddress(f[2], v6);
    const state = f[3] === '0A' ? 'LISTEN' : f[3] === '01' ? 'ESTABLISHED' : 'OTHER';
    sockets.push({ local, localPort, remote, remotePort, state, inode: Number(f[9]) });
  }
  return sockets;
}

/** "0100007F:1F90" -> ["127.0.0.1", 8080]; v6 addresses are four little-endian 32-bit words. */
function parseAddress(text: string, v6: boolean): [string, number] {
  const [hex, portHex] = text.split(':');
  const port = parseInt(portHex, 16);
  if (!v6) {
    const bytes = [0, 2, 4, 6].map((i) => parseInt(hex.slice(i, i + 2), 16)).reverse();
    return [bytes.join('.'), port];
  }
  const words: string[] = [];
  for (let w = 0; w < 4; w += 1) {
    const word = hex.slice(w * 8, w * 8 + 8);
    const bytes = [6, 4, 2, 0].map((i) => word.slice(i, i + 2)).join('');
    words.push(bytes.slice(0, 4), bytes.slice(4, 8));
  }
  const address = words.map((g) => g.replace(/^0+(?=.)/, '').toLowerCase()).join(':');
  return [compressV6(address), port];
}

function compressV6(address: string): string {
  if (address === '0:0:0:0:0:0:0:0') return '::';
  if (address === '0:0:0:0:0:0:0:1') return '::1';
  const mapped = /^0:0:0:0:0:ffff:([0-9a-f]+):([0-9a-f]+)$/.exec(address);
  if (mapped) {
    const n = (parseInt(mapped[1], 16) << 16) | parseInt(mapped[2], 16);
    return `::ffff:${[24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.')}`;
  }
  return address;
}
