import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ZmartError } from '../errors.js';

/** Files the supervisor holds open per service process: its stdout pipe, its stderr pipe, its log file. */
export const FILES_PER_PROCESS = 3;
/**
 * Kept free beyond them: Node's own (~25), zmart's logs and pid lock, the control socket and its
 * clients, probes in flight, plugins' files and sockets.
 */
export const SPARE_FILES = 64;

/**
 * How many files this process may have open (its soft RLIMIT_NOFILE: Node raises it to the hard
 * limit as it starts, and children inherit it), or null when unlimited or unknown. Linux reads
 * /proc; elsewhere the shell's `ulimit -n` says (what a child inherits is ours).
 */
export function openFileLimit(): number | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    if (soft) return /^\d+$/.test(soft) ? Number(soft) : null;
  } catch {
    // no /proc: ask the shell
  }
  try {
    const answer = execFileSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8', timeout: 2000 }).trim();
    return /^\d+$/.test(answer) ? Number(answer) : null;
  } catch {
    return null;
  }
}

/**
 * Refuses a fleet of `processes` (replicas counted) that would run zmart out of open files,
 * before anything starts: past the limit, spawns and log files fail one by one, mid-start.
 * `where` names the config or command the number came from.
 */
export function checkFileRoom(processes: number, where: string, limit: number | null = openFileLimit()): void {
  if (limit === null) return;
  const needed = processes * FILES_PER_PROCESS + SPARE_FILES;
  if (needed <= limit) return;
  const most = Math.max(0, Math.floor((limit - SPARE_FILES) / FILES_PER_PROCESS));
  throw new ZmartError(
    'ZMART_USAGE',
    `${where}: ${processes} service processes need about ${needed} open files in zmart (${FILES_PER_PROCESS} each: stdout, stderr and log, plus ${SPARE_FILES}), and this system allows ${limit} (ulimit -n): at most ${most} fit. Raise the limit (ulimit -n in the shell that starts zmart, LimitNOFILE= in its systemd unit) or run fewer`,
  );
}
