import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ZmartError } from '../errors.js';
import type { ExitInfo, ProcessHandle, ProcessIdentity, ProcessRunner, ProcessTable, SpawnSpec, StopOptions } from '../di/contracts.js';
import { shellCommand } from './shell-command.js';
import { stopProcessTree } from './stop.js';

/** How long spawns may hold the event loop before it serves what else came. */
const SPAWN_TURN_MS = 25;

/**
 * Spawns each service as the leader of its own process group (detached), with stdin closed
 * and stdout/stderr piped to zmart, and stops it through its whole group.
 *
 * node:child_process, not execa: a service needs none of what execa adds (no buffered
 * output, no result promise, no piping), and loading execa cost the daemon ~14 MB of its
 * resident memory. execa runs the short commands plugins ask for (run-command.ts).
 */
export class ChildProcessRunner implements ProcessRunner {
  /** The spawn before this one has had its turn of the event loop. */
  private turn: Promise<void> = Promise.resolve();
  private turnStarted = 0;
  /** The leaders spawned here that still run: pid to start time (a stop looks for markers outside their groups). */
  private readonly leaders = new Map<number, number>();

  constructor(private readonly table: ProcessTable) {}

  async spawn(spec: SpawnSpec): Promise<ProcessHandle> {
    // A spawn holds the event loop (fork and exec, ~7 ms for a daemon of this size): a fleet of
    // thousands started in one go held it for 20 s, and the control socket answered nobody.
    // Spawns take turns: after SPAWN_TURN_MS of them the loop serves the I/O that came meanwhile
    // (a status, a stop) before the next.
    const turn = this.turn.then(async () => {
      if (performance.now() - this.turnStarted < SPAWN_TURN_MS) return;
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.turnStarted = performance.now();
    });
    this.turn = turn;
    await turn;
    // A string runs through /bin/sh, which execs the program when it is one simple command.
    const command = Array.isArray(spec.command) ? spec.command : ['/bin/sh', '-c', shellCommand(spec.command)];
    // LISTEN_PID must be the program's own pid: a shell that sets it to its own, then execs it
    const argv = spec.listen ? ['/bin/sh', '-c', 'LISTEN_PID=$$; export LISTEN_PID; exec "$0" "$@"', ...command] : command;
    const env = spec.listen ? { ...spec.env, LISTEN_FDS: '1', LISTEN_FDNAMES: spec.listen.name } : spec.env;
    const { file, args, ids } = asUser(argv, spec.runAs);
    const stdio = spec.listen ? (['ignore', 'pipe', 'pipe', spec.listen.fd] as const) : (['ignore', 'pipe', 'pipe'] as const);
    const child = spawn(file, args, { cwd: spec.cwd, env, detached: true, stdio: [...stdio], windowsHide: true, ...ids });

    // 'exit' fires when the leader ends, even while a grandchild still holds its stdout open.
    const failed = new Promise<Error>((resolve) => child.once('error', resolve));
    const exited = new Promise<ExitInfo>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      void failed.then(() => resolve({ code: null, signal: null }));
    });

    if (child.pid === undefined) {
      const error = await failed;
      throw new ZmartError('ZMART_START_FAILED', `cannot start ${spec.service}: ${error.message || 'spawn failed'} (cwd ${spec.cwd})`, { cause: error });
    }
    const stat = this.table.stat(child.pid);
    if (stat) {
      const { pid } = child;
      this.leaders.set(pid, stat.startTime);
      void exited.then(() => this.leaders.delete(pid));
    }
    return {
      pid: child.pid,
      // A process that died within microseconds has no stat left: 0 never matches a live one.
      startTime: stat?.startTime ?? 0,
      stdout: child.stdout,
      stderr: child.stderr,
      exited,
    };
  }

  async stop(target: ProcessIdentity, options: StopOptions & { exited?: Promise<unknown> }): Promise<{ forced: boolean }> {
    const result = await stopProcessTree(target, { ...options, table: this.table, leaderExited: options.exited, spawned: this.leaders });
    if (options.exited) await options.exited;
    return { forced: result.forced };
  }
}

/** util-linux's setpriv: sets uid, gid and the user's supplementary groups, then execs (the pid stays). */
const SETPRIV = '/usr/bin/setpriv';

/**
 * How to start `argv` as another user: through setpriv where it is (Linux: the user's
 * supplementary groups too, `--init-groups`), else with Node's uid and gid (macOS: the
 * supplementary groups are dropped). As zmart itself: as it is.
 */
function asUser(argv: string[], runAs: SpawnSpec['runAs']): { file: string; args: string[]; ids: { uid?: number; gid?: number } } {
  const [file, ...args] = argv as [string, ...string[]];
  if (!runAs || (runAs.uid === process.getuid?.() && runAs.gid === process.getgid?.())) return { file, args, ids: {} };
  if (existsSync(SETPRIV)) {
    const named = runAs.user !== null && !/^\d+$/.test(runAs.user);
    const groups = named ? '--init-groups' : '--clear-groups';
    return { file: SETPRIV, args: [`--reuid=${runAs.uid}`, `--regid=${runAs.gid}`, groups, '--', file, ...args], ids: {} };
  }
  return { file, args, ids: { uid: runAs.uid, gid: runAs.gid } };
}
