import { spawnSync } from 'node:child_process';
import type { HeldSocket, MarkerLook, PortListener, ProcessTable, ProcStat } from '../../../di/contracts.js';
import { LSOF_FIELDS, parseLsof } from './lsof-output.js';
import { PS_COLUMNS, PS_ENV_COLUMNS, parsePs, pidsCarrying, type PsRow } from './ps-output.js';
import { SharedReading } from '../shared-reading.js';

export interface PortableTools {
  /** Absolute path of ps: never looked up in PATH, where anyone's folder may come first. */
  ps: string;
  /** Absolute path of lsof, or null: then who holds a port cannot be told. */
  lsof: string | null;
  /** The flag that adds the environment to ps's command column: -E (BSD), e (procps). */
  envFlag: '-E' | 'e';
}

/** How long one look at the listening sockets serves (a check of every service in one go). */
const LISTEN_TTL_MS = 250;

/**
 * The answers of `ps` and `lsof`, the tools macOS has for them (and Linux too, for tests):
 * one `ps` per question or per round, one `lsof` for every port asked about within 250 ms.
 * They run through node:child_process's spawnSync, not execa: the table's callers are
 * synchronous, and this is a hot path (several calls a second while a service stops) where
 * execa would add ~14 MB to the daemon and nothing the fixed argv needs.
 */
export function portableTable(tools: PortableTools): ProcessTable {
  let listening: { at: number; sockets: HeldSocket[] } | null = null;
  const everyEnvironment = new SharedReading<{ environments: string; commands: string }>(100);
  /** A few candidates' environments, once per list: the stops that share a reading ask of the same one. */
  const someEnvironments = new WeakMap<ProcStat[], { environments: string; commands: string }>();
  const run = (file: string, args: string[]): string => {
    for (let attempt = 0; ; attempt += 1) {
      const result = spawnSync(file, args, {
        encoding: 'utf8',
        // The C locale and UTC: lstart's month names and hours are then always read the same way.
        env: { PATH: '/usr/bin:/bin:/usr/sbin:/sbin', LC_ALL: 'C', TZ: 'UTC' },
        timeout: 5000,
        maxBuffer: 64 * 1024 * 1024,
        windowsHide: true,
      });
      // ps and lsof exit 1 when nothing matched: the (empty) listing is still the answer. A run
      // that could not start, was killed (the 5 s timeout) or failed otherwise is tried once more.
      const answered = !result.error && result.signal === null && (result.status === 0 || result.status === 1);
      if (answered || attempt === 1) return typeof result.stdout === 'string' ? result.stdout : '';
    }
  };
  const ps = (args: string[]): PsRow[] => parsePs(run(tools.ps, ['-ww', '-o', PS_COLUMNS, ...args]));
  const psOf = (pids: number[]): PsRow[] => (pids.length === 0 ? [] : ps(['-p', pids.join(',')]));
  const one = (pid: number): PsRow | null => (exists(pid) ? (psOf([pid]).find((r) => r.pid === pid) ?? null) : null);
  const lsof = (args: string[]): HeldSocket[] | null => (tools.lsof ? parseLsof(run(tools.lsof, ['-nP', '-Ts', ...args, '-F', LSOF_FIELDS])) : null);

  return {
    name: 'portable',
    startTimeGrainMs: 1000,
    pollMs: 100,
    stat: one,
    all: () => ps(['-A']),
    commandLine: (pid) => one(pid)?.command ?? null,
    rssBytes: (pid) => one(pid)?.rssBytes ?? 0,
    startedAtMs: (startTime) => startTime * 1000,
    listeners(port: number): PortListener[] | null {
      if (!listening || Date.now() - listening.at > LISTEN_TTL_MS) {
        const sockets = lsof(['-iTCP', '-sTCP:LISTEN']);
        if (sockets === null) return null;
        listening = { at: Date.now(), sockets };
      }
      // The query asked for listening sockets only: their state line (-Ts) is not relied on.
      const mine = listening.sockets.filter((s) => s.localPort === port);
      const byPid = new Map(mine.map((s) => [s.pid, s]));
      return psOf([...byPid.keys()])
        .filter((row) => row.state !== 'Z')
        .map((row) => ({
          pid: row.pid,
          startTime: row.startTime,
          ppid: row.ppid,
          pgid: row.pgid,
          command: row.command,
          address: byPid.get(row.pid)!.local,
          port,
        }));
    },
    sockets: (pids) => (pids.length === 0 ? [] : lsof(['-a', '-iTCP', '-p', pids.join(',')])),
    // `unsettled` stays empty: ps gives no sure sign of a process caught mid-exec (Linux's
    // procps brackets its name, as a kernel thread's; macOS's is not known to show one).
    carrying(marker: string, candidates: ProcStat[]): MarkerLook {
      if (candidates.length === 0) return { carriers: [], unsettled: [] };
      // many candidates: every process, read once per moment and shared by the stops under way
      // (a fleet-wide stop asks this of every service at once: one `ps -A` each was N² work)
      const every = candidates.length > 200;
      const select = every ? ['-A'] : ['-p', candidates.map((c) => c.pid).join(',')];
      const read = () => ({
        environments: run(tools.ps, [tools.envFlag, '-ww', '-o', PS_ENV_COLUMNS, ...select]),
        // the commands alone, to tell a marker in the environment from the same word in an argv
        commands: run(tools.ps, ['-ww', '-o', PS_ENV_COLUMNS, ...select]),
      });
      let some = every ? undefined : someEnvironments.get(candidates);
      if (!every && !some) someEnvironments.set(candidates, (some = read()));
      const { environments, commands } = some ?? everyEnvironment.get(read);
      if (!environments.includes(marker)) return { carriers: [], unsettled: [] };
      const found = pidsCarrying(environments, commands, marker, process.getuid?.() === 0 ? undefined : process.getuid?.()); // root: any user's (services run as `user`)
      return { carriers: candidates.filter((c) => found.has(c.pid)), unsettled: [] };
    },
    forget: () => {
      listening = null;
    },
  };
}

/** A signal-0 look: no command run for a pid that is gone (the common answer while stopping). */
function exists(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
