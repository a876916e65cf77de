import type { ProcStat } from '../../../di/contracts.js';

/**
 * What zmart asks `ps` for, one line per process, without headers (`name=`): the same
 * keywords in BSD ps (macOS) and procps (Linux). `command` comes last: it holds spaces.
 * `lstart` is the start time to the second ("Mon Nov  3 09:14:02 2026", printed in UTC and
 * the C locale because zmart runs ps with TZ=UTC and LC_ALL=C).
 */
export const PS_COLUMNS = 'pid=,ppid=,pgid=,stat=,rss=,time=,lstart=,command=';

/** Environment listing: pid, owner and the command followed by its environment. */
export const PS_ENV_COLUMNS = 'pid=,uid=,command=';

export interface PsRow extends ProcStat {
  command: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const LINE = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(\S+)\s+([A-Z][a-z]{2}\s+[A-Z][a-z]{2}\s+\d{1,2}\s+\d{1,2}:\d{2}:\d{2}\s+\d{4})(?:\s(.*))?$/;

/** One line of `ps -o PS_COLUMNS`, or null when it is not one. */
export function parsePsLine(line: string): PsRow | null {
  const m = LINE.exec(line);
  if (!m) return null;
  const startTime = parseLstart(m[7]);
  const cpu = parseCpuTime(m[6]);
  if (Number.isNaN(startTime) || Number.isNaN(cpu)) return null;
  return {
    pid: Number(m[1]),
    ppid: Number(m[2]),
    pgid: Number(m[3]),
    // BSD's I (idle: asleep for more than 20 s) is a sleep like S; the rest are the same letters.
    state: m[4][0] === 'I' ? 'S' : m[4][0],
    rssBytes: Number(m[5]) * 1024,
    cpuTicks: Math.round(cpu * 100),
    startTime,
    threads: 1,
    command: (m[8] ?? '').trim(),
  };
}

/** Every process in a `ps -o PS_COLUMNS` listing; lines that are not one are skipped. */
export function parsePs(text: string): PsRow[] {
  const rows: PsRow[] = [];
  for (const line of text.split('\n')) {
    const row = parsePsLine(line);
    if (row) rows.push(row);
  }
  return rows;
}

/** "Mon Nov  3 09:14:02 2026" (UTC) -> seconds after the epoch; NaN when it is not such a date. */
export function parseLstart(text: string): number {
  const [, month, day, time, year] = text.trim().split(/\s+/);
  const m = MONTHS.indexOf(month ?? '');
  const [h, min, s] = (time ?? '').split(':').map(Number);
  if (m < 0 || [h, min, s].some((n) => n === undefined || Number.isNaN(n))) return Number.NaN;
  return Date.UTC(Number(year), m, Number(day), h, min, s) / 1000;
}

/**
 * CPU time in seconds from `time`: BSD prints minutes:seconds.hundredths ("0:00.05",
 * "125:03.12"), procps [days-]hours:minutes:seconds ("00:01:14", "2-03:04:05").
 */
export function parseCpuTime(text: string): number {
  const dash = text.indexOf('-');
  const days = dash > 0 ? Number(text.slice(0, dash)) : 0;
  const parts = text
    .slice(dash + 1)
    .split(':')
    .map(Number);
  if (parts.length < 2 || parts.length > 3 || parts.some(Number.isNaN) || Number.isNaN(days)) return Number.NaN;
  const seconds = parts.reduce((sum, part) => sum * 60 + part, 0);
  return days * 86_400 + seconds;
}

/**
 * Which processes of an environment listing (`ps -E` on macOS, `ps e` with procps: the
 * command followed by NAME=value words) carry `marker` in their environment and belong to
 * `uid`. The listing cannot tell where the command ends and the environment begins, so the
 * plain listing of the same processes (`commands`: the command alone) says how many times the
 * command itself holds the marker: a process carries it only when the environment listing
 * holds it more times than that (a stranger that puts the word in its argv does not).
 */
export function pidsCarrying(environments: string, commands: string, marker: string, uid: number | undefined): Set<number> {
  const inCommand = markerCounts(commands, marker, uid);
  const found = new Set<number>();
  for (const [pid, count] of markerCounts(environments, marker, uid)) {
    if (count > (inCommand.get(pid) ?? 0)) found.add(pid);
  }
  return found;
}

/** How many whole words equal to `marker` each of `uid`'s lines holds (pid -> count, 0s left out). */
function markerCounts(text: string, marker: string, uid: number | undefined): Map<number, number> {
  const counts = new Map<number, number>();
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s(.*)$/.exec(line);
    if (!m || (uid !== undefined && Number(m[2]) !== uid)) continue;
    const count = m[3]!.split(' ').filter((word) => word === marker).length;
    if (count > 0) counts.set(Number(m[1]), count);
  }
  return counts;
}
