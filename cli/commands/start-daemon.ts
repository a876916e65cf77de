import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, rmdirSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Socket } from 'node:net';
import { readRunEntry } from '../../core/daemon/registry.js';
import { packageRoot } from '../../core/package-root.js';

export const DAEMON_OUT = 'zmart.out';
/**
 * V8 settings for the long-lived supervisor, each measured (W2, W4, W1 in bench/):
 * - a young generation capped at 1 MB per semi-space (default 16): the default lets the
 *   heap grow ~20 MB at start that it never gives back; scavenges stay cheap because little
 *   survives;
 * - one V8 helper thread instead of one per core: ~1.5 MB less (fewer malloc arenas and
 *   thread stacks touched) for a ~10 MB heap that parallel GC does not speed up.
 * - no optimizing compiler (--no-opt): TurboFan's own code and data are ~4.5 MB of the
 *   daemon's resident memory (10 services probed each second: 58.2 -> 54.5 MB), and the
 *   daemon's steady work is too short-lived to repay it (100 services probed each second:
 *   4.2 -> 3.3 % of a core). A log flood is no slower:
 *   its copying runs in WebAssembly (core/logging/stamp-kernel.wat), which --no-opt leaves be.
 *   Measured again against V8's defaults on start, memory and throughput together in
 *   bench/daemon-flags.mjs (RESULTS.md).
 * - no baseline compiler either (--no-sparkplug; JS runs interpreted): Sparkplug's machine
 *   code for what ran hot is 1.3-2.3 MB of the daemon's resident memory at every fleet size
 *   (W2, 10 idle services: +6.1 -> +4.9 MB over a bare Node server; 10 probed each second with
 *   the views: 60.3-60.6 -> 58.5-58.8 MB), for no change in restart latency (W1), cold start
 *   (W7) or log throughput (W4), and within the spread of the stop of 3,000 (2.9 -> 3.0 s) and
 *   of the CPU of 100 services probed each second (~+15 %; at the default 30 s, noise).
 * - gc exposed (--expose-gc): core/logging/buffer-sweep.ts sweeps the young generation every
 *   2 MB of service output, which keeps a log flood from raising the peak by tens of MB (a
 *   foreground supervisor exposes it at its first flood instead, for ~2.5 MB).
 * - the old generation grows by at most 30 % of what survived the last full collection before
 *   the next (V8 lets it grow up to 4x): probes promote short-lived objects, and with 100
 *   services probed each second the heap sawed from ~15 MB live to ~40 MB, the daemon's RSS
 *   to 112 MB; capped, it stays at 84 MB (mean 84 against 93-100), for ~1 % more of a core
 *   (bench/heap-growth.mjs).
 * Not --optimize-for-size: it kept RSS ~5 MB lower with 100 services probed each second,
 * but held the old generation so tight that a service flooding its log made V8 run a full
 * mark-compact every ~35 ms (45 in 1.6 s), slowing the flood by a third (W4).
 */
const DAEMON_NODE_FLAGS = ['--max-semi-space-size=1', '--v8-pool-size=1', '--no-opt', '--no-sparkplug', '--expose-gc', '--heap-growing-percent=30'];

/** A supervisor process launched by `zmart start`, and what the launch created. */
export interface LaunchedDaemon {
  child: ChildProcess;
  /** The config and the services it was launched for. */
  configFile: string;
  services: string[];
  root: string;
  logDir: string;
  outFile: string;
  /** Lets an early daemon go on (it loads the config the CLI just checked and transpiled). */
  go(): void;
  /** Ends an early daemon that must not run, and removes what its launch created; waits for it (≤2 s). */
  abort(): Promise<void>;
}

/**
 * Launches the supervisor (dist/bin/daemon.js: no commander, no other command in the process
 * that lives as long as the fleet) in its own session, its stdout and stderr in
 * `<logDir>/zmart.out`. With `early`, it loads its code and then waits on a pipe (fd 3) for
 * the CLI's word before it reads the config or creates anything: so it boots while the CLI
 * checks the config (and transpiles it, once, into jiti's cache), and a config the CLI
 * rejects starts nothing (its end of the pipe closes and it exits).
 */
export function launchDaemon(options: { configFile: string; root: string; logDir: string; services: string[]; early: boolean }): LaunchedDaemon {
  const createdDir = !existsSync(options.logDir);
  // early: only the folder itself, so that an abort removes all it made
  if (createdDir) mkdirSync(options.logDir, { recursive: !options.early, mode: 0o700 });
  const outFile = join(options.logDir, DAEMON_OUT);
  const createdOut = !existsSync(outFile);
  const fd = openSync(outFile, 'a', 0o600);
  const daemon = join(packageRoot(import.meta.url).root, 'dist/bin/daemon.js');
  const args = [...DAEMON_NODE_FLAGS, daemon, '--config', options.configFile, ...(options.early ? ['--after-go'] : []), ...options.services];
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, args, {
      cwd: options.root,
      detached: true,
      stdio: ['ignore', fd, fd, options.early ? 'pipe' : 'ignore'],
      env: process.env,
    });
  } finally {
    closeSync(fd);
  }
  child.unref();
  const pipe = child.stdio[3] as Socket | null;
  pipe?.unref();
  pipe?.on('error', () => undefined); // a daemon that died first: its exit says so
  return {
    child,
    configFile: options.configFile,
    services: options.services,
    root: options.root,
    logDir: options.logDir,
    outFile,
    go() {
      pipe?.end('go\n');
    },
    async abort() {
      pipe?.destroy();
      // Before its word it has made nothing and handles no signal: SIGTERM ends it at once,
      // where the pipe's end is read only once it has loaded its code (~200 ms).
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exitOf(child, 2000);
      if (createdOut) unlinkQuietly(outFile);
      if (createdDir) rmdirQuietly(options.logDir);
    },
  };
}

/**
 * Launches a supervisor early for `configFile`, before the config is loaded, when its log
 * folder can be known without loading it: the one the last run used (its run entry), else
 * the default `logs` beside the config. Null when a supervisor already runs for it (the
 * caller finds it once the config is loaded) or the folder cannot be made.
 */
export function launchEarly(configFile: string, services: string[]): LaunchedDaemon | null {
  const entry = readRunEntry(configFile);
  if (entry?.pid) return null;
  const root = dirname(configFile);
  try {
    return launchDaemon({ configFile, root, logDir: entry?.logDir ?? join(root, 'logs'), services, early: true });
  } catch {
    return null; // the config's own checks say what is wrong with the folder
  }
}

function exitOf(child: ChildProcess, deadlineMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // our own child, not yet reaped: its pid is still ours
      resolve();
    }, deadlineMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

function rmdirQuietly(path: string): void {
  try {
    rmdirSync(path); // only when empty: nothing of anyone else's goes
  } catch {
    // not empty, or gone
  }
}
