import type { HeldSocket } from '../../../di/contracts.js';

/**
 * The fields zmart asks `lsof -F` for: p (pid, starts a process's set), f (file descriptor,
 * starts a file's set), t (type: IPv4, IPv6), n (name: "127.0.0.1:8000", "*:8000",
 * "[::1]:8000", "127.0.0.1:8000->127.0.0.1:51234") and T (TCP state: "ST=LISTEN").
 */
export const LSOF_FIELDS = 'pftnT';

/** The TCP sockets of an `lsof -F pftnT` listing. */
export function parseLsof(text: string): HeldSocket[] {
  const sockets: HeldSocket[] = [];
  let pid = 0;
  let file: { type: string; name: string; state: HeldSocket['state'] } | null = null;
  const flush = () => {
    if (pid > 0 && file?.name) {
      const local = localEnd(file.name, file.type);
      if (local) sockets.push({ pid, local: local.address, localPort: local.port, state: file.state });
    }
    file = null;
  };
  for (const line of text.split('\n')) {
    const tag = line[0];
    const value = line.slice(1);
    if (tag === 'p') {
      flush();
      pid = Number(value);
    } else if (tag === 'f') {
      flush();
      file = { type: '', name: '', state: 'OTHER' };
    } else if (file && tag === 't') file.type = value;
    else if (file && tag === 'n') file.name = value;
    else if (file && tag === 'T' && value.startsWith('ST=')) {
      const state = value.slice(3);
      file.state = state === 'LISTEN' ? 'LISTEN' : state === 'ESTABLISHED' ? 'ESTABLISHED' : 'OTHER';
    }
  }
  flush();
  return sockets;
}

/** The local end of a name: "[::1]:8000" -> ::1 and 8000; "*" is every address of the socket's family. */
function localEnd(name: string, type: string): { address: string; port: number } | null {
  const local = name.split('->')[0];
  const colon = local.lastIndexOf(':');
  if (colon < 0) return null;
  const port = Number(local.slice(colon + 1));
  if (!Number.isInteger(port)) return null;
  let address = local.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  if (address === '*') address = type === 'IPv6' ? '::' : '0.0.0.0';
  return { address, port };
}
