import type { PortListener } from './contracts.js';

/** Which candidates carry a marker, and which could not be told yet (a process between two images shows no environment). */
export interface MarkerLook {
  carriers: ProcStat[];
  unsettled: ProcStat[];
}

/** One process as the platform's process table shows it. */
export interface ProcStat {
  pid: number;
  ppid: number;
  pgid: number;
  /** One-letter state: R, S, D, Z (zombie), T (stopped)... */
  state: string;
  /**
   * When it started, in the table's own unit (ProcessTable.startTimeGrainMs): clock ticks after
   * boot from /proc, seconds after the epoch from `ps`. With the pid, a process's identity.
   */
  startTime: number;
  /** CPU time used, user + system, in hundredths of a second. */
  cpuTicks: number;
  /** Threads, where the table knows (each has its own list of children on Linux); else 1. */
  threads: number;
  /** Resident bytes, where the table read them with the rest (ps); else read apart. */
  rssBytes?: number;
}

/** A TCP socket a process holds. */
export interface HeldSocket {
  pid: number;
  local: string;
  localPort: number;
  state: 'LISTEN' | 'ESTABLISHED' | 'OTHER';
}

/**
 * Everything zmart asks the operating system about processes, answered by one of two
 * backends: Linux's /proc, or `ps` and `lsof` (macOS, and any Unix with them). Picked by
 * platform; ZMART_PROC_BACKEND=linux|portable forces one (core/process/table/pick.ts).
 * Every answer is read now: a process gone (or never there) is null, 0 or left out.
 */
export interface ProcessTable {
  readonly name: 'linux' | 'portable';
  /** The grain of start times: 10 ms (/proc's ticks) or 1000 ms (`ps`'s lstart). */
  readonly startTimeGrainMs: number;
  /**
   * How often a wait for processes to end looks again: 20 ms where a look is a file read,
   * 100 ms where it runs `ps` (a stop that waits out a 10 s timeout would otherwise run 500).
   */
  readonly pollMs: number;
  /** One process, or null when it is gone. */
  stat(pid: number): ProcStat | null;
  /** Every process on the machine, in one reading. */
  all(): ProcStat[];
  /** The process's argv joined by spaces, or null when it is gone. */
  commandLine(pid: number): string | null;
  /** Resident memory in bytes, or 0 when it is gone. */
  rssBytes(pid: number): number;
  /** Epoch milliseconds of a start time. */
  startedAtMs(startTime: number): number;
  /** Who listens on a TCP port, v4 and v6; null where the table cannot tell (no lsof, say). */
  listeners(port: number): PortListener[] | null;
  /** The TCP sockets these processes hold; null where the table cannot tell. */
  sockets(pids: number[]): HeldSocket[] | null;
  /**
   * Which of these processes carry `NAME=value` in their environment (this user's alone; any
   * user's for root, which runs services as other users): how zmart finds what escaped a
   * service's group (setsid, double fork). Processes whose environment cannot be read are left out;
   * those that cannot be told yet (caught mid-exec) are `unsettled`: ask again in a moment.
   */
  carrying(marker: string, candidates: ProcStat[]): MarkerLook;
  /** Forgets what is kept for a moment (sockets, owners): after a stop, say. */
  forget(): void;
  /**
   * Present where the table lists a process's children directly (Linux's per-thread children
   * files): a tree is then read from its root down, not from a scan of every process.
   */
  readonly walk?: { children(pid: number, threads?: number): number[] };
}
