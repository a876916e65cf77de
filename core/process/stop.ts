import { descendantsOf, groupIn, isSameProcess, recentStats, statIn, type ProcStat } from './proc.js';
import type { MarkerLook, ProcessIdentity, ProcessTable } from '../di/contracts.js';

/** How long after a crash what escaped its group is looked for: after an immediate restart's spawn. */
const SWEEP_AFTER_MS = 50;
/** After SIGKILL the kernel needs a moment; past this the processes are reported as left. */
const KILL_GRACE_MS = 2000;
/** How long a stop asks again about a process caught mid-exec (its environment unreadable for that moment). */
const SETTLE_MS = 1000;

/** What a look at a service's processes found: the targets, and escaped candidates not told yet (see MarkerLook). */
interface Tree {
  targets: ProcStat[];
  unsettled: ProcStat[];
}
const EMPTY: Tree = { targets: [], unsettled: [] };

export interface StopTreeOptions {
  /** Where processes are looked up (the supervisor's, or the command's). */
  table: ProcessTable;
  signal: NodeJS.Signals;
  timeoutMs: number;
  /**
   * `group` (default): the signal to every process at once. `main`: to the leader alone; the
   * rest get it once the leader has exited; SIGKILL to all that is left at the timeout.
   */
  mode?: 'group' | 'main';
  /**
   * The leader has exited and the caller, its parent, just saw it: its pid cannot have been
   * reused while its group still has members, so the remaining members are still ours.
   */
  leaderJustExited?: boolean;
  /**
   * The `NAME=value` zmart put in the service's environment: a process that carries it (and
   * started after the leader) is the service's even after setsid and a double fork.
   */
  marker?: string;
  /**
   * Settles when the leader has exited, for a leader this process spawned (its 'exit' event):
   * a stop that waits looks again at once then, instead of at its next turn (3,000 stops wait
   * in turns up to a second apart).
   */
  leaderExited?: Promise<unknown>;
  /**
   * The leaders this process spawned that still run (pid to start time), each in a session and
   * group of its own: no other service's marker is looked for in their groups (see candidatesOf).
   */
  spawned?: ReadonlyMap<number, number>;
}

/**
 * Stops a service's whole process tree: its process group plus any descendant that left
 * the group. Sends `signal`, waits up to `timeoutMs` for every process to go, then SIGKILLs
 * what is left. Only processes proven ours (pid + start time) are ever signalled.
 */
export async function stopProcessTree(leader: ProcessIdentity, options: StopTreeOptions): Promise<{ forced: boolean; left: number[] }> {
  // The common case after a crash: the leader left nobody in its group (one signal-0 call
  // says so, where collecting the tree reads every /proc/PID/stat).
  if (options.leaderJustExited && !groupHasMembers(leader.pid)) {
    // What escaped the group is looked for after the restart, off its path.
    const { marker } = options;
    // (it reads every process's stat: ~1 ms that an immediate restart should not wait for)
    if (marker) setTimeout(() => void stopAll(leader, asTree(escaped(options, leader, marker, options.table.all())), options), SWEEP_AFTER_MS).unref();
    return { forced: false, left: [] };
  }
  // After a crash the members are what matters and the leader is gone: read /proc afresh.
  const tree = collectTree(options, leader, options.leaderJustExited === true, options.leaderJustExited === true);
  return stopAll(leader, tree, options);
}

async function stopAll(leader: ProcessIdentity, tree: Tree, options: StopTreeOptions): Promise<{ forced: boolean; left: number[] }> {
  if (tree.targets.length === 0 && tree.unsettled.length === 0) return { forced: false, left: [] };
  const { table } = options;
  // counted from here, before its first await: the stops a fleet starts next share readings by it
  underWay.set(table, (underWay.get(table) ?? 0) + 1);
  try {
    return await signalAndWait(leader, tree, options);
  } finally {
    underWay.set(table, (underWay.get(table) ?? 1) - 1);
    table.forget(); // the sockets they held are gone: the next look at a port reads afresh
  }
}

async function signalAndWait(leader: ProcessIdentity, first: Tree, options: StopTreeOptions): Promise<{ forced: boolean; left: number[] }> {
  const { table } = options;
  const deadline = Date.now() + options.timeoutMs;
  let tree = first;
  const isLeader = (t: ProcStat) => t.pid === leader.pid && t.startTime === leader.startTime;
  const main = options.mode === 'main' ? first.targets.find(isLeader) : undefined;
  if (main) {
    // The main process leads: it alone gets the signal and may stop its workers its own way.
    trySignal(main.pid, options.signal);
    if (main.state === 'T' && options.signal !== 'SIGCONT') trySignal(main.pid, 'SIGCONT');
    if (await waitGone(table, [main], deadline - Date.now(), leaderExit(options, leader, true))) {
      // Then what is left of the group (and what escaped it) gets the signal too.
      tree = collectTree(options, leader, true, true);
      if (tree.targets.length === 0 && tree.unsettled.length === 0) return { forced: false, left: [] };
    }
  }
  let targets = tree.targets;
  if (Date.now() < deadline) {
    signalAll(table, leader, targets, options.signal);
    // What was caught mid-exec is told in a moment, while the rest ends: it gets the signal then.
    if (tree.unsettled.length > 0) {
      const late = await settled(options, leader, tree.unsettled, deadline);
      if (late.length > 0) {
        signalAll(table, leader, late, options.signal);
        targets = [...targets, ...late];
      }
    }
    if (await waitGone(table, targets, deadline - Date.now(), leaderExit(options, leader, targets.some(isLeader)))) return { forced: false, left: [] };
  }

  // Whatever the tree forked meanwhile is in the group too: take a fresh look before SIGKILL.
  const remaining = [...targets, ...collectTree(options, leader, true, true).targets].filter((t) => isSameProcess(table, t.pid, t.startTime));
  signalAll(table, leader, remaining, 'SIGKILL');
  // A stopped (SIGSTOP) process is killed by SIGKILL directly; SIGCONT is not needed.
  await waitGone(table, remaining, KILL_GRACE_MS);
  return { forced: true, left: remaining.filter((t) => isSameProcess(table, t.pid, t.startTime)).map((t) => t.pid) };
}

function groupHasMembers(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function collectTree(options: StopTreeOptions, leader: ProcessIdentity, leaderGone: boolean, fresh = false): Tree {
  const { table, marker } = options;
  // The first look may be shared with stops under way at the same moment (the group signal
  // reaches what forked since); the look before SIGKILL is fresh.
  let stats = fresh ? table.all() : recentStats(table, sharedLookAge(table));
  // through the snapshot's indexes: a fleet-wide stop asks this of one snapshot per service
  const findLeader = () => {
    const s = statIn(stats, leader.pid);
    return s && s.startTime === leader.startTime && s.state !== 'Z' ? s : undefined;
  };
  let leaderStat = findLeader();
  if (!leaderStat && !fresh && isSameProcess(table, leader.pid, leader.startTime)) {
    stats = table.all(); // born after the shared reading
    leaderStat = findLeader();
  }
  const look = marker ? escaped(options, leader, marker, stats) : undefined;
  if (!leaderStat && !leaderGone) return look ? asTree(look) : EMPTY;
  const found = new Map<number, ProcStat>();
  if (leaderStat) found.set(leaderStat.pid, leaderStat);
  for (const s of look?.carriers ?? []) found.set(s.pid, s);
  for (const s of groupIn(stats, leader.pid)) {
    if (s.startTime >= leader.startTime && s.state !== 'Z') found.set(s.pid, s);
  }
  for (const member of [...found.values()]) {
    for (const d of descendantsOf(member.pid, stats)) if (d.state !== 'Z') found.set(d.pid, d);
  }
  return { targets: [...found.values()], unsettled: look?.unsettled ?? [] };
}

/** Live processes started since the leader whose environment carries the service's marker (and those not told yet). */
function escaped(options: StopTreeOptions, leader: ProcessIdentity, marker: string, stats: ProcStat[]): MarkerLook {
  // One candidate list per reading, the same for every service that asks of it: the table
  // answers them all from one pass over it (a fleet-wide stop asks once per service).
  const look = options.table.carrying(marker, candidatesOf(stats, options.spawned));
  const since = (s: ProcStat) => s.startTime >= leader.startTime;
  return { carriers: look.carriers.filter(since), unsettled: look.unsettled.filter(since) };
}

const asTree = (look: MarkerLook): Tree => ({ targets: look.carriers, unsettled: look.unsettled });

/**
 * The candidates caught mid-exec that carry the marker once told, asked again each turn until
 * each is told or gone (an exec takes well under a millisecond, longer on a loaded machine), for
 * SETTLE_MS at most. Taken as unmarked, such a process was left running by the stop (the shell's
 * `setsid sh -c 'sleep &'` right before a stop, in CI).
 */
async function settled(options: StopTreeOptions, leader: ProcessIdentity, unsettled: ProcStat[], deadline: number): Promise<ProcStat[]> {
  const { table, marker } = options;
  const found: ProcStat[] = [];
  let left = unsettled;
  const until = Math.min(deadline, Date.now() + SETTLE_MS);
  while (marker && left.length > 0 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, table.pollMs));
    const look = escaped(
      options,
      leader,
      marker,
      left.filter((s) => isSameProcess(table, s.pid, s.startTime)),
    );
    found.push(...look.carriers);
    left = look.unsettled;
  }
  return found;
}

/**
 * Who may carry a service's marker outside its group: every live process but this one and the
 * groups of the running leaders this process spawned. Each of those leads a session of its own,
 * and a process joins a group only within its session: nothing of another service's tree is in
 * one, and a service's own group is found through its group. At 3,000 services the marker is
 * looked for among the machine's other processes, not in 3,000 environments read for nothing.
 * (Not by parent pid: as a container's init, zmart is the parent of every orphan, escaped ones too.)
 */
const NONE_SPAWNED: ReadonlyMap<number, number> = new Map();
const candidateLists = new WeakMap<ReadonlyMap<number, number>, WeakMap<ProcStat[], ProcStat[]>>();
function candidatesOf(stats: ProcStat[], spawned = NONE_SPAWNED): ProcStat[] {
  let lists = candidateLists.get(spawned);
  if (!lists) candidateLists.set(spawned, (lists = new WeakMap()));
  let list = lists.get(stats);
  if (!list) {
    const groups = new Set<number>();
    for (const s of stats) if (s.pgid === s.pid && spawned.get(s.pid) === s.startTime) groups.add(s.pid);
    list = stats.filter((s) => s.state !== 'Z' && s.pid !== process.pid && !groups.has(s.pgid));
    lists.set(stats, list);
  }
  return list;
}

/**
 * How old a reading of every process the first look of a stop may share: 100 ms, longer while
 * many stops are under way (up to 1 s at 500 and more), so that a fleet-wide stop reads /proc a
 * few times, not once per 100 ms of its length (a stop of 3,000 read it ~70 times, 2.2 s of
 * its 8 s). The group signal reaches what forked since; the look before SIGKILL is fresh.
 */
function sharedLookAge(table: ProcessTable): number {
  return Math.min(1000, 100 * Math.max(1, (underWay.get(table) ?? 0) / FULL_PACE_STOPS));
}

function signalAll(table: ProcessTable, leader: ProcessIdentity, targets: ProcStat[], signal: NodeJS.Signals): void {
  if (targets.some((t) => t.pgid === leader.pid)) trySignal(-leader.pid, signal);
  for (const t of targets) {
    if (t.pgid !== leader.pid && isSameProcess(table, t.pid, t.startTime)) trySignal(t.pid, signal);
  }
  if (signal !== 'SIGKILL' && signal !== 'SIGCONT') {
    // A SIGSTOPped process would hold the signal pending forever: let it run to handle it.
    for (const t of targets) if (t.state === 'T' && isSameProcess(table, t.pid, t.startTime)) trySignal(t.pid, 'SIGCONT');
  }
}

function trySignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: already gone. EPERM cannot happen for processes we started.
  }
}

/**
 * Stops under way at this moment, per table (from their first signal to their end): a fleet-wide
 * stop spreads their looks at the processes by it. Counted before a stop first yields: counted at
 * its first wait instead, a stop that yielded earlier (for a process caught mid-exec) let the
 * next stops of the fleet take younger readings of every process: +0.85 s on a stop of 3,000.
 */
const underWay = new WeakMap<ProcessTable, number>();
/** Up to this many stops poll at the table's pace; more slow down in proportion. */
const FULL_PACE_STOPS = 50;

/** The leader's exit, for a leader this process spawned; `among`: the leader, when it is one of the processes waited for. */
interface LeaderExit {
  exited: Promise<unknown>;
  among?: ProcessIdentity;
}

const leaderExit = (options: StopTreeOptions, leader: ProcessIdentity, among: boolean): LeaderExit | undefined =>
  options.leaderExited ? { exited: options.leaderExited, ...(among ? { among: leader } : {}) } : undefined;

async function waitGone(table: ProcessTable, targets: ProcStat[], timeoutMs: number, leader?: LeaderExit): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  // A tree is not gone while its leader lives, and this process hears when its own child exits:
  // until then it does not read /proc (right after the signal, a stop of 3,000 read every
  // leader's stat once more for nothing).
  // Once its exit is seen, the leader is known gone (reaped: its pid is no longer its own), with
  // no look at /proc: a stop of 3,000 failed to open 3,000 stat files that said so.
  const reaped = leader?.among;
  let leaderAlive = reaped !== undefined;
  let wake: Promise<void> | undefined = leader?.exited.then((): void => {
    wake = undefined; // once: then at the pace
    leaderAlive = false;
  });
  const gone = (t: ProcStat) => (reaped !== undefined && t.pid === reaped.pid && t.startTime === reaped.startTime) || !isSameProcess(table, t.pid, t.startTime);
  for (;;) {
    if (!leaderAlive && targets.every(gone)) return true;
    if (Date.now() >= deadline) return false;
    // 3,000 stops each looking every 20 ms took the event loop whole (a stop of 3,000 took 33 s)
    const pace = Math.ceil((underWay.get(table) ?? 1) / FULL_PACE_STOPS);
    let timer: NodeJS.Timeout | undefined;
    const turn = new Promise((resolve) => (timer = setTimeout(resolve, Math.min(table.pollMs * pace, Math.max(table.pollMs, deadline - Date.now())))));
    await (wake ? Promise.race([turn, wake]) : turn);
    clearTimeout(timer);
  }
}
