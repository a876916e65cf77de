import { readFileSync, statSync } from 'node:fs';
import type { ProcStat } from '../../../di/contracts.js';

/** How long a process's marker, once read, is taken as known (keyed by pid and start time: never another process's). */
const KEPT_MS = 10_000;

/**
 * Which processes carry a marker (`NAME=value`) in their environment, from /proc/PID/environ,
 * each process read once. A fleet-wide stop asks it of every service at once, each time of
 * every process started after that service's leader: read afresh each time, that was N²/2 reads
 * (4.5 million at 3,000 services, minutes of a stop); kept, it is N. A process's marker does
 * not change while it runs (only an exec could change it; it keeps pid and start time, and what
 * it ran as is still the service's); a pid used again is another start time, read afresh.
 */
export class EnvironReader {
  private readonly known = new Map<number, { startTime: number; name: string; value: string | null }>();
  private since = 0;

  constructor(
    /** Our own user's processes alone (null: any user's, as root, which runs services as other users). */
    private readonly uid: number | null,
    private readonly now: () => number = Date.now,
  ) {}

  carrying(marker: string, candidates: ProcStat[]): ProcStat[] {
    if (this.now() - this.since > KEPT_MS) {
      this.known.clear();
      this.since = this.now();
    }
    const name = marker.slice(0, marker.indexOf('=') + 1);
    return candidates.filter((s) => this.valueOf(s, name) === marker);
  }

  /** The process's `NAME=value` entry for this name, or null (none, not ours, gone). */
  private valueOf(s: ProcStat, name: string): string | null {
    const known = this.known.get(s.pid);
    if (known && known.startTime === s.startTime && known.name === name) return known.value;
    const value = this.read(s.pid, name);
    this.known.set(s.pid, { startTime: s.startTime, name, value });
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
