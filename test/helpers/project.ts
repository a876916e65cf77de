import 'reflect-metadata';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { resolveConfig } from '../../core/config/resolve.js';
import type { ResolvedConfig, ZmartConfigInput } from '../../core/config/types.js';
import { createSupervisor } from '../../core/composition-root.js';
import type { Supervisor } from '../../core/supervisor.js';
import { pickTable } from '../../core/process/table/pick.js';

/** The process table the tests look through (ZMART_PROC_BACKEND picks it, as for the supervisor). */
export const testTable = pickTable();
export const readStat = (pid: number) => testTable.stat(pid);
import type { HookMap, HookName } from '../../core/hooks.js';

export const FIXTURE = resolve(import.meta.dirname, '../fixtures/server.mjs');
export const CLI = resolve(import.meta.dirname, '../../dist/bin/zmart.cjs');

/** argv that runs the fixture server with the given flags. */
export const fixture = (...flags: Array<string | number>): string[] => [process.execPath, FIXTURE, ...flags.map(String)];

/** A file's text, or '' while it does not exist yet. */
export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The fixture's `--grandchild FILE`: the first run's "<grandchild> <setsid grandchild>" pids, once written. */
export function readKids(file: string): number[] | null {
  const pids = readAllKids(file).slice(0, 2);
  return pids.length === 2 ? pids : null;
}

/** Every grandchild pid the fixture wrote to FILE, one line per run of the service. */
export function readAllKids(file: string): number[] {
  return readText(file).split(/\s+/).filter(Boolean).map(Number);
}

export function tempDir(prefix = 'zmart-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A free loopback port, chosen by the kernel at run time. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 8000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Alive and not a zombie (here PID 1 may not reap orphans, so a dead orphan can linger as Z). */
export function isAlive(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== null && stat.state !== 'Z';
}

/** Kills every pid (and its group) a test started, whatever happened in the test. */
export function killAll(pids: Iterable<number>): void {
  for (const pid of pids) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
}

export interface Fleet {
  dir: string;
  supervisor: Supervisor;
  /** Every hook payload, in order, as [name, payload]. */
  events: Array<[HookName, unknown]>;
  of<K extends HookName>(hook: K): Array<HookMap[K] & { at: number }>;
  /** Every pid that was spawned, for the safety net. */
  pids: Set<number>;
  /** Stops the supervisor and flushes the logs (rotations included); the folder stays. */
  shutdown(): Promise<void>;
  close(): Promise<void>;
}

const HOOKS: HookName[] = [
  'service:state',
  'service:spawn',
  'service:started',
  'service:ready',
  'service:exit',
  'service:restart',
  'service:failed',
  'service:stopping',
  'service:stopped',
  'service:health',
  'alert',
];

/**
 * A supervisor on real processes in a temp folder (pid and log folders inside it), with
 * every hook recorded and every spawned process group killed at close, whatever happened.
 */
export function createFleet(config: ZmartConfigInput, options: { dir?: string; env?: Record<string, string> } = {}): Fleet {
  const temp = options.dir ? null : tempDir();
  const dir = options.dir ?? temp!.dir;
  return fleetOf(resolveConfig(config, { file: null, root: dir, env: options.env ?? {} }), dir, temp?.cleanup);
}

/** The same, for a config already resolved (loaded from a file); `cleanup` runs at close. */
export function fleetOf(resolved: ResolvedConfig, dir: string, cleanup?: () => void): Fleet {
  const supervisor = createSupervisor(resolved);
  const { logs } = supervisor;
  const events: Fleet['events'] = [];
  const pids = new Set<number>();
  for (const hook of HOOKS) {
    supervisor.hooks.on(hook, (payload) => {
      events.push([hook, { ...(payload as object), at: Date.now() }]);
      if (hook === 'service:spawn') pids.add((payload as HookMap['service:spawn']).pid);
    });
  }
  return {
    dir,
    supervisor,
    events,
    pids,
    of: <K extends HookName>(hook: K) => events.filter(([h]) => h === hook).map(([, p]) => p as HookMap[K] & { at: number }),
    shutdown: async () => {
      await supervisor.stop('test over');
      await logs.close();
    },
    close: async () => {
      try {
        await Promise.race([supervisor.stop('test over'), new Promise((r) => setTimeout(r, 5000))]);
      } finally {
        killAll(pids);
        await logs.close();
        cleanup?.();
      }
    },
  };
}

/** The files a process has open (its /proc/PID/fd links); [] once it is gone. */
export function openFiles(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        return [readlinkSync(`/proc/${pid}/fd/${fd}`)];
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}
