import { spawn, type ChildProcess } from 'node:child_process';
import { CLI, killAll } from './project.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A running `zmart` (dist build) in its own process group, with its output collected. */
export interface CliProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<CliResult>;
  kill(): void;
}

export function startCli(args: string[], options: { cwd: string; env?: Record<string, string> }): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, output: () => stdout + stderr, exited, kill: () => killAll([child.pid!]) };
}

/** Runs `zmart ARGS` to completion (killed after `timeoutMs`). */
export async function runCli(args: string[], options: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<CliResult> {
  const cli = startCli(args, options);
  const timer = setTimeout(() => cli.kill(), options.timeoutMs ?? 10_000);
  try {
    return await cli.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** What a test file starts and makes, killed and removed after each test whatever happened. */
export function afterEachTest(afterEach: (fn: () => void) => void): { running: CliProcess[]; pids: number[]; cleanups: Array<() => void> } {
  const state = { running: [] as CliProcess[], pids: [] as number[], cleanups: [] as Array<() => void> };
  afterEach(() => {
    for (const cli of state.running.splice(0)) cli.kill();
    killAll(state.pids.splice(0));
    for (const c of state.cleanups.splice(0)) c();
  });
  return state;
}
