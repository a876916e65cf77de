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
  /** Per candidate list, per marker name: which of them carry which value. */
  private indexes = new WeakMap<ProcStat[], Map<string, Map<string, ProcStat[]>>>();
  private since = 0;

  constructor(
    /** Our own user's processes alone (null: any user's, as root, which runs services as other users). */
    private readonly uid: number | null,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The candidates that carry `marker`. Asked again of the same list (one reading of the table,
   * shared by the stops of a fleet), the answer comes from an index built in one pass: N
   * questions of N processes are N reads and N steps, not N² steps.
   */
  carrying(marker: string, candidates: ProcStat[]): ProcStat[] {
    if (this.now() - this.since > KEPT_MS) {
      this.known.clear();
      this.indexes = new WeakMap();
      this.since = this.now();
    }
    const name = marker.slice(0, marker.indexOf('=') + 1);
    if (candidates.length < 2) return candidates.filter((s) => this.valueOf(s, name) === marker);
    let byName = this.indexes.get(candidates);
    if (!byName) this.indexes.set(candidates, (byName = new Map()));
    let byValue = byName.get(name);
    if (!byValue) {
      byValue = new Map();
      for (const s of candidates) {
        const value = this.valueOf(s, name);
        if (value === null) continue;
        const carriers = byValue.get(value);
        if (carriers) carriers.push(s);
        else byValue.set(value, [s]);
      }
      byName.set(name, byValue);
    }
    return byValue.get(marker) ?? [];
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
      return entryOf(readFileSync(`/proc/${pid}/environ`), name);
    } catch {
      return null;
    }
  }
}

/**
 * The `NAME=value` entry for `name` (`NAME=`) in an environ block (entries each ended by a NUL),
 * found in the bytes: a fleet-wide stop reads thousands, and splitting each into strings
 * was ~13 MB of garbage at 3,000 services.
 */
export function entryOf(environ: Buffer, name: string): string | null {
  let at = 0;
  if (environ.toString('utf8', 0, Buffer.byteLength(name)) !== name) {
    const found = environ.indexOf(`\0${name}`);
    if (found < 0) return null;
    at = found + 1;
  }
  const end = environ.indexOf(0, at);
  return environ.toString('utf8', at, end < 0 ? environ.length : end);
}
