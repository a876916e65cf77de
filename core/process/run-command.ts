import { timerDelay } from '../system-time.js';
import { stopProcessTree } from './stop.js';
import type { ProcessIdentity, ProcessTable } from '../di/contracts.js';

/**
 * Runs a short command for a plugin (an alert hook): its own process group, stdin fed with
 * `input`, output collected (first 64 KB), and the whole group stopped once `timeoutMs` passed.
 * execa is imported here, on first use: a daemon whose plugins run no command never loads it.
 */
export async function runCommand(
  command: string | string[],
  options: { input?: string; env?: Record<string, string>; timeoutMs: number; cwd?: string; table: ProcessTable; running?: Set<ProcessIdentity> },
): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  const settings = {
    detached: true,
    cleanup: false,
    reject: false,
    input: options.input ?? '',
    env: options.env,
    cwd: options.cwd,
    maxBuffer: 64 * 1024,
    stripFinalNewline: true,
  } as const;
  const { execa } = await import('execa');
  const child = Array.isArray(command) ? execa(command[0], command.slice(1), settings) : execa(command, { ...settings, shell: '/bin/sh' });
  let timedOut = false;
  const identity = child.pid ? { pid: child.pid, startTime: options.table.stat(child.pid)?.startTime ?? 0 } : null;
  if (identity) options.running?.add(identity);
  const timer = setTimeout(() => {
    timedOut = true;
    if (identity) void stopProcessTree(identity, { table: options.table, signal: 'SIGTERM', timeoutMs: 1000 });
  }, timerDelay(options.timeoutMs));
  try {
    const result = await child;
    return {
      code: result.exitCode ?? null,
      stdout: String(result.stdout ?? ''),
      stderr: String(result.stderr ?? result.originalMessage ?? ''),
      timedOut,
    };
  } finally {
    clearTimeout(timer);
    if (identity) options.running?.delete(identity);
  }
}
