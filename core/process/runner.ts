import { execa } from 'execa';
import { ZmartError } from '../errors.js';
import type { ExitInfo, ProcessHandle, ProcessIdentity, ProcessRunner, SpawnSpec, StopOptions } from '../di/tokens.js';
import { readStat } from './proc.js';
import { stopProcessTree } from './stop.js';

/**
 * Spawns each service with execa as the leader of its own process group (detached), with
 * stdin closed and stdout/stderr piped to zmart, and stops it through its whole group.
 */
export class ExecaProcessRunner implements ProcessRunner {
  async spawn(spec: SpawnSpec): Promise<ProcessHandle> {
    const options = {
      cwd: spec.cwd,
      env: spec.env,
      extendEnv: false,
      detached: true,
      cleanup: false,
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      windowsHide: true,
    } as const;
    const child = Array.isArray(spec.command)
      ? execa(spec.command[0], spec.command.slice(1), options)
      : execa(spec.command, { ...options, shell: '/bin/sh' });

    // 'exit' fires when the leader ends, even while a grandchild still holds its stdout open.
    const exited = new Promise<ExitInfo>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', () => resolve({ code: null, signal: null }));
    });
    child.catch(() => undefined);

    if (child.pid === undefined) {
      const result = await child;
      throw new ZmartError(
        'ZMART_START_FAILED',
        `cannot start ${spec.service}: ${result.originalMessage || result.shortMessage || 'spawn failed'} (cwd ${spec.cwd})`,
      );
    }
    const stat = readStat(child.pid);
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
    const result = await stopProcessTree(target, options);
    if (options.exited) await options.exited;
    return { forced: result.forced };
  }
}
