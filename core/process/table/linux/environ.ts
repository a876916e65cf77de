import { readFileSync, statSync } from 'node:fs';
import type { ProcStat } from '../../../di/contracts.js';

/** How long a reading of environments is shared: the moment of one fleet-wide stop. */
const SHARED_MS = 100;

/**
 * Which processes carry a marker (`NAME=value`) in their environment, from /proc/PID/environ,
 * each process read once per moment. A fleet-wide stop asks it of every service at once, each
 * time of every process started after that service's leader: read afresh each time, that was
 * N²/2 reads (4.5 million at 3,000 services, minutes of a stop); shared, it is N.
 */
export class EnvironReader {
  private readonly seen = new Map<string, string | null>();
  private since = 0;

  constructor(
    /** Our own user's processes alone (null: any user's, as root, which runs services as other users). */
    private readonly uid: number | null,
    private readonly now: () => number = Date.now,
  ) {}

  carrying(marker: string, candidates: ProcStat[]): ProcStat[] {
    if (this.now() - this.since > SHARED_MS) {
      this.seen.clear();
      this.since = this.now();
    }
    const name = marker.slice(0, marker.indexOf('=') + 1);
    return candidates.filter((s) => this.valueOf(s, name) === marker);
  }

  /** The process's `NAME=value` entry for this name, or null (none, not ours, gone). */
  private valueOf(s: ProcStat, name: string): string | null {
    const key = `${s.pid}:${s.startTime}:${name}`;
    if (this.seen.has(key)) return this.seen.get(key)!;
    const value = this.read(s.pid, name);
    this.seen.set(key, value);
    return value;
  }

  private read(pid: number, name: string): string | null {
    try {
      if (this.uid !== null && statSync(`/proc/${pid}`).uid !== this.uid) return null;
      return (
        readFileSync(`/proc/${pid}/environ`, 'utf8')
          .split('\0')
          .find((entry) => entry.startsWith(name)) ?? null
      );
    } catch {
      return null;
    }
  }
}
