import { readFileSync, readlinkSync, statSync } from 'node:fs';
import type { MarkerLook, ProcStat } from '../../../di/contracts.js';

/** How long a process's marker, once read, is taken as known (keyed by pid and start time: never another process's). */
const KEPT_MS = 10_000;

/**
 * Which processes carry a marker (`NAME=value`) in their environment, from /proc/PID/environ,
 * each process read once. A fleet-wide stop asks it of every service at once, each time of
 * every process started after that service's leader: read afresh each time, that was N²/2 reads
 * (4.5 million at 3,000 services, minutes of a stop); kept, it is N. A process's marker does
 * not change while it runs (only an exec could change it; it keeps pid and start time, and what
 * it ran as is still the service's); a pid used again is another start time, read afresh.
 *
 * A process caught in the middle of an exec shows no environment and no command line for a
 * moment (the kernel has mapped its new image but not yet laid out its stack): about 1 read in
 * 10 right after a shell's `sleep &`. Such a process is unsettled, not "no marker": it is not
 * kept, and the stop asks again (a stop that took it as unmarked left it running).
 */
export class EnvironReader {
  private readonly known = new Map<number, { startTime: number; name: string; value: string | null }>();
  /** Per candidate list, per marker name: which of them carry which value, and which could not be told yet. */
  private indexes = new WeakMap<ProcStat[], Map<string, { byValue: Map<string, ProcStat[]>; unsettled: ProcStat[] }>>();
  private since = 0;

  constructor(
    /** Our own user's processes alone (null: any user's, as root, which runs services as other users). */
    private readonly uid: number | null,
    private readonly now: () => number = Date.now,
    /** Where the process files are (a test's folder stands in for a moment no real process can be held in). */
    private readonly proc = '/proc',
  ) {}

  /**
   * The candidates that carry `marker`. Asked again of the same list (one reading of the table,
   * shared by the stops of a fleet), the answer comes from an index built in one pass: N
   * questions of N processes are N reads and N steps, not N² steps.
   */
  carrying(marker: string, candidates: ProcStat[]): MarkerLook {
    if (this.now() - this.since > KEPT_MS) {
      this.known.clear();
      this.indexes = new WeakMap();
      this.since = this.now();
    }
    const name = marker.slice(0, marker.indexOf('=') + 1);
    let byName = this.indexes.get(candidates);
    if (!byName) this.indexes.set(candidates, (byName = new Map()));
    let index = byName.get(name);
    if (!index) byName.set(name, (index = this.indexOf(candidates, name)));
    else if (index.unsettled.length > 0) {
      // asked again of the same reading: what was between two images may have settled since
      const again = this.indexOf(index.unsettled, name);
      for (const [value, carriers] of again.byValue) index.byValue.set(value, [...(index.byValue.get(value) ?? []), ...carriers]);
      index.unsettled = again.unsettled;
    }
    return { carriers: index.byValue.get(marker) ?? [], unsettled: index.unsettled };
  }

  /** One pass over the candidates: who carries which value of this name, and who could not be told. */
  private indexOf(candidates: ProcStat[], name: string): { byValue: Map<string, ProcStat[]>; unsettled: ProcStat[] } {
    const byValue = new Map<string, ProcStat[]>();
    const unsettled: ProcStat[] = [];
    for (const s of candidates) {
      const value = this.valueOf(s, name);
      if (value === UNSETTLED) unsettled.push(s);
      else if (value !== null) {
        const carriers = byValue.get(value);
        if (carriers) carriers.push(s);
        else byValue.set(value, [s]);
      }
    }
    return { byValue, unsettled };
  }

  /** The process's `NAME=value` entry for this name, null (none, not ours, gone) or UNSETTLED (mid-exec: ask again). */
  private valueOf(s: ProcStat, name: string): string | null | typeof UNSETTLED {
    const known = this.known.get(s.pid);
    if (known && known.startTime === s.startTime && known.name === name) return known.value;
    const value = this.read(s.pid, name);
    if (value !== UNSETTLED) this.known.set(s.pid, { startTime: s.startTime, name, value });
    return value;
  }

  private read(pid: number, name: string): string | null | typeof UNSETTLED {
    try {
      if (this.uid !== null && statSync(`${this.proc}/${pid}`).uid !== this.uid) return null;
      const environ = readFileSync(`${this.proc}/${pid}/environ`);
      if (environ.length > 0) return entryOf(environ, name);
      if (readFileSync(`${this.proc}/${pid}/cmdline`).length > 0) {
        // an environment truly empty (`env -i`), or an exec that finished between the two reads
        return entryOf(readFileSync(`${this.proc}/${pid}/environ`), name);
      }
      // Neither: mid-exec (it has an image: its exe reads), or a kernel thread or a zombie (none).
      readlinkSync(`${this.proc}/${pid}/exe`);
      return UNSETTLED;
    } catch {
      return null;
    }
  }
}

/** What `valueOf` says of a process seen between two images. */
const UNSETTLED = Symbol('unsettled');

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
