import { readFileSync, readdirSync } from 'node:fs';

import type { ProcStat } from '../../../di/contracts.js';

export type { ProcStat };

/** Parses /proc/PID/stat; null when the process is gone (or never was). */
export function readStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
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
