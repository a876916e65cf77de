import { closeSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** O_CLOEXEC in /proc/PID/fdinfo's octal `flags:` line. */
const CLOSE_ON_EXEC = 0o2000000;

/**
 * Closes the descriptors this process inherited from whoever started it (a shell's open files,
 * a terminal multiplexer's sockets, a CI runner's pipes) so that no service inherits them in turn:
 * what a service can write to is its output, its socket and what it opens itself. supervisord
 * and systemd close them alike.
 *
 * Linux tells them apart by their flags: everything Node and libuv open is close-on-exec, and
 * a descriptor that was not is one a parent left open across exec. Stdin, stdout and stderr
 * stay, and so does Node's IPC channel if it has one. Elsewhere (macOS) the flags cannot be
 * read from JavaScript, and nothing is closed; nor does it need to be there: libuv (1.44 on,
 * Node 18 on) starts processes on macOS with posix_spawn and POSIX_SPAWN_CLOEXEC_DEFAULT, which
 * passes on only the descriptors a spawn names (the supervisor itself, started so by the CLI,
 * inherits none). Its fallback, fork and exec, passes them on: a service with `user` or
 * `group` (posix_spawn cannot set them there). Returns what was closed (descriptor and target),
 * for the supervisor's log.
 */
export function closeInheritedFds(): Array<{ fd: number; target: string }> {
  if (process.platform !== 'linux') return [];
  let names: string[];
  try {
    names = readdirSync('/proc/self/fdinfo');
  } catch {
    return [];
  }
  const channel = (process as { channel?: { fd?: number } }).channel?.fd;
  const closed: Array<{ fd: number; target: string }> = [];
  for (const name of names) {
    const fd = Number(name);
    if (!Number.isInteger(fd) || fd <= 2 || fd === channel) continue;
    let flags: number;
    try {
      flags = Number.parseInt(/^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1] ?? '', 8);
    } catch {
      continue; // closed meanwhile (the listing's own descriptor)
    }
    if (Number.isNaN(flags) || flags & CLOSE_ON_EXEC) continue;
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // gone: nothing to close
    }
    try {
      closeSync(fd);
      closed.push({ fd, target });
    } catch {
      // closed meanwhile
    }
  }
  return closed;
}
