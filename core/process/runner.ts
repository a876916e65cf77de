import { spawn } from 'node:child_process';
import { ZmartError } from '../errors.js';
import type { ExitInfo, ProcessHandle, ProcessIdentity, ProcessRunner, ProcessTable, SpawnSpec, StopOptions } from '../di/contracts.js';
import { shellCommand } from './shell-command.js';
import { stopProcessTree } from './stop.js';

/**
 * Spawns each service as the leader of its own process group (detached), with stdin closed
 * and stdout/stderr piped to zmart, and stops it through its whole group.
 *
 * node:child_process, not execa: a service needs none of what execa adds (no buffered
 * output, no result promise, no piping), and loading execa cost the daemon ~14 MB of its
 * resident memory. execa runs the short commands plugins ask for (run-command.ts).
 */
export class ChildProcessRunner implements ProcessRunner {
  constructor(private readonly table: ProcessTable) {}

  async spawn(spec: SpawnSpec): Promise<ProcessHandle> {
    // A string runs through /bin/sh, which execs the program when it is one simple command.
    const [file, args, shell] = Array.isArray(spec.command) ? [spec.command[0]!, spec.command.slice(1), false] : [shellCommand(spec.command), [], '/bin/sh'];
    const child = spawn(file, args, { cwd: spec.cwd, env: spec.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'], shell, windowsHide: true });

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
    const result = await stopProcessTree(target, { ...options, table: this.table });
    if (options.exited) await options.exited;
    return { forced: result.forced };
  }
}
