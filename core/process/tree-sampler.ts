import type { ProcessIdentity, ProcessTable, TreeUsage } from '../di/contracts.js';
import { descendantsOf, type ProcStat, statIn } from './proc.js';

/** Leaders with more threads than this are looked up in a round's snapshot rather than walked. */
const WALK_THREADS = 4;
/**
 * CPU shares are taken over at least this long. Two plugins often sample a service in the
 * same tick (intervals share the clock's grid: history and memory-guard every 10 s): the
 * second, a millisecond after the first, would get the share of that millisecond (0, or ten
 * times a core, with 10 ms ticks), so it gets the share since the sample before instead.
 */
const MIN_CPU_WINDOW_MS = 1000;

/** A sample CPU shares are measured from: the tree's ticks, in all and per process. */
interface Baseline {
  leader: string;
  ticks: number;
  at: number;
  byPid: Map<number, number>;
}

/** The tree from its root down, through the children lists of every thread of every process. */
function walk(table: ProcessTable, root: ProcStat): ProcStat[] {
  const found: ProcStat[] = [];
  const queue = [root.pid];
  const seen = new Set<number>();
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const stat = pid === root.pid ? root : table.stat(pid);
    if (!stat) continue;
    found.push(stat);
    queue.push(...table.walk!.children(pid, stat.threads));
  }
  return found;
}

/** True where the table walks a tree from its root down (Linux's children lists). */
export const canWalkTrees = (table: ProcessTable): boolean => table.walk !== undefined;

/**
 * Memory and CPU of process trees, read from each leader down (stat, statm and the children
 * lists of the tree's own processes) rather than from a scan of every process on the
 * machine: a round costs what the fleet has, not what the machine runs. Leaders with many
 * threads (a list of children each) are looked up in one scan shared by the round instead,
 * and so is every tree where the table has no children lists (ps: one call a round, memory
 * included). CPU is the share of one core since the previous sample of the same leader (its lifetime average at the first). A process
 * that left the tree (a daemon that double-forked) is not counted.
 */
export class TreeSampler {
  /** Per key, the last sample taken at least MIN_CPU_WINDOW_MS after the one before it, and that one. */
  private readonly previous = new Map<string, { current: Baseline; older: Baseline | null }>();

  constructor(private readonly table: ProcessTable) {}

  /**
   * `snapshot` gives every process's stat, read once for a whole round: a tree whose leader has
   * many threads (Node has ~10, each with its own children list) is found in it from the
   * parent links instead of walking one list per thread.
   */
  sample(key: string, leader: ProcessIdentity, now = Date.now(), snapshot?: () => ProcStat[]): TreeUsage | null {
    // Without children lists (ps), the whole tree comes from the round's snapshot, or one read
    // now; with them, a many-threaded leader's too (its own line included), others are walked.
    const table = this.table;
    const fromSnapshot = canWalkTrees(table) ? undefined : (snapshot ?? once(() => table.all()));
    const inSnapshot = snapshot && !fromSnapshot ? statIn(snapshot(), leader.pid) : undefined;
    const threaded = inSnapshot && inSnapshot.startTime === leader.startTime && inSnapshot.threads > WALK_THREADS ? inSnapshot : undefined;
    const root = fromSnapshot ? (statIn(fromSnapshot(), leader.pid) ?? null) : (threaded ?? table.stat(leader.pid));
    if (!root || root.state === 'Z' || root.startTime !== leader.startTime) {
      this.previous.delete(key);
      return null;
    }
    const shared = fromSnapshot ?? (snapshot && root.threads > WALK_THREADS ? snapshot : undefined);
    const members = shared ? [root, ...descendantsOf(root.pid, shared())] : walk(table, root);
    const processes = members.filter((s) => s.state !== 'Z').map((s) => ({ pid: s.pid, rssBytes: s.rssBytes ?? table.rssBytes(s.pid), ticks: s.cpuTicks }));
    const ticks = processes.reduce((sum, p) => sum + p.ticks, 0);
    const identity = `${leader.pid}:${leader.startTime}`;
    const sample: Baseline = { leader: identity, ticks, at: now, byPid: new Map(processes.map((p) => [p.pid, p.ticks])) };
    const kept = this.previous.get(key);
    const ours = kept && kept.current.leader === identity ? kept : null;
    let since: Baseline | null = null;
    if (!ours) this.previous.set(key, { current: sample, older: null });
    else if (now - ours.current.at >= MIN_CPU_WINDOW_MS) {
      since = ours.current;
      this.previous.set(key, { current: sample, older: ours.current });
    } else if (ours.older && now > ours.older.at) since = ours.older; // asked again soon: the share since the sample before
    // ticks are hundredths of a CPU second: over the seconds between samples, in % of one core
    const share = (delta: number) => (since ? Math.max(0, delta / ((now - since.at) / 1000)) : 0);
    const cpuPercent = since ? share(ticks - since.ticks) : lifetimePercent(ticks, table.startedAtMs(root.startTime), now);
    return {
      rssBytes: processes.reduce((sum, p) => sum + p.rssBytes, 0),
      cpuPercent: Math.round(cpuPercent * 10) / 10,
      processes: processes.map((p) => ({
        pid: p.pid,
        rssBytes: p.rssBytes,
        cpuPercent: Math.round(share(p.ticks - (since?.byPid.get(p.pid) ?? p.ticks)) * 10) / 10,
        // read only by whoever names the processes (a restart's detail)
        get command() {
          return table.commandLine(p.pid) ?? '';
        },
      })),
    };
  }

  /** Drops what is kept for a key (its service is gone). */
  forget(key: string): void {
    this.previous.delete(key);
  }
}

function once<T>(read: () => T): () => T {
  let value: { v: T } | null = null;
  return () => (value ??= { v: read() }).v;
}

/** Average % of one core over the process's life (ticks are hundredths of a CPU second). */
function lifetimePercent(ticks: number, startedAtMs: number, now: number): number {
  return ticks / Math.max(0.001, (now - startedAtMs) / 1000);
}
