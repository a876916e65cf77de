import { closeSync, openSync, readFileSync, readdirSync, readSync } from 'node:fs';

import type { ProcStat } from '../../../di/contracts.js';

export type { ProcStat };

const buffer = Buffer.allocUnsafe(4096);

/**
 * A small /proc file (stat, statm, a children list) in one read: open, read, close, where
 * readFileSync also asks its size (0 for /proc) and reads once more to meet the end. A
 * sampling round reads hundreds. Null when it cannot be read (the process is gone).
 */
export function readSmallFile(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  let length: number;
  try {
    length = readSync(fd, buffer, 0, buffer.length, null);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
  if (length < buffer.length) return buffer.toString('latin1', 0, length);
  try {
    return readFileSync(path, 'latin1'); // longer than expected: read it whole
  } catch {
    return null;
  }
}

/** Bytes per page, found once from this process's own resident pages and RSS. */
let pageBytes: number | null = null;
export function pageSize(): number {
  if (pageBytes === null) {
    const pages = Number(readFileSync('/proc/self/statm', 'utf8').split(' ')[1]);
    const estimate = process.memoryUsage().rss / Math.max(1, pages);
    pageBytes = 2 ** Math.round(Math.log2(estimate)); // 4096 on most machines, 16K or 64K on some arm64
  }
  return pageBytes;
}

/** Parses /proc/PID/stat (resident memory included: field 24, in pages); null when the process is gone. */
export function readStat(pid: number): ProcStat | null {
  const text = readSmallFile(`/proc/${pid}/stat`);
  if (text === null) return null;
  // The command (field 2) is in parentheses and may hold spaces or ')': split after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return {
    pid,
    state: rest[0],
    ppid: Number(rest[1]),
    pgid: Number(rest[2]),
    startTime: Number(rest[19]),
    cpuTicks: Number(rest[11]) + Number(rest[12]),
    threads: Number(rest[17]),
    rssBytes: Number(rest[21]) * pageSize(),
  };
}

/** The process's argv joined by spaces, or null when it is gone. */
export function readCommandLine(pid: number): string | null {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter(Boolean).join(' ');
  } catch {
    return null;
  }
}

/** Every live process's stat, read once: for walking trees and groups. */
export function readAllStats(): ProcStat[] {
  const stats: ProcStat[] = [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return stats;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) stats.push(stat);
  }
  return stats;
}

/** Linux's USER_HZ: clock ticks per second in /proc (100 on every mainstream architecture). */
const TICKS_PER_SECOND = 100;

let bootTimeMs: number | null = null;

/** Epoch milliseconds at which a process with this start time (in ticks) started. */
export function startTimeToEpochMs(startTime: number): number {
  if (bootTimeMs === null) {
    try {
      const line = readFileSync('/proc/stat', 'utf8')
        .split('\n')
        .find((l) => l.startsWith('btime '));
      bootTimeMs = line ? Number(line.split(' ')[1]) * 1000 : 0;
    } catch {
      bootTimeMs = 0;
    }
  }
  return bootTimeMs + (startTime / TICKS_PER_SECOND) * 1000;
}
