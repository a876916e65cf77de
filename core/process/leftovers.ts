import type { PidRecord, PidStore, ProcessIdentity } from '../di/contracts.js';

export type LeftoverEvent =
  | { kind: 'stale'; name: string; pid: number; why: string }
  | { kind: 'stopping'; name: string; pid: number }
  | { kind: 'stopped'; name: string; pid: number; forced: boolean; left: number[]; ms: number };

export interface LeftoverDeps {
  pids: PidStore;
  isAlive(identity: ProcessIdentity): boolean;
  /** Stops a proven process's whole tree, gracefully then by force. */
  stop(
    target: ProcessIdentity,
    options: { signal: NodeJS.Signals; timeoutMs: number; mode?: 'group' | 'main'; marker?: string },
  ): Promise<{ forced: boolean; left?: number[] }>;
  now(): number;
}

/**
 * What a run that died left in the pid files: a process proven ours (pid + start time) is
 * stopped, gracefully then by force, with the stop settings the config (`stopFor`) or its
 * state file gives; any other pid is never signalled and its pid file is removed as stale.
 * The supervisor calls it at boot, `zmart stop` when no supervisor answers.
 */
export async function stopLeftovers(
  deps: LeftoverDeps,
  options: { names?: readonly string[]; stopFor?: (name: string) => PidRecord['stop']; report: (event: LeftoverEvent) => void },
): Promise<LeftoverEvent[]> {
  const events: LeftoverEvent[] = [];
  const report = (event: LeftoverEvent) => {
    events.push(event);
    options.report(event);
  };
  const names = deps.pids.list().filter((n) => n !== 'monitor' && (!options.names || options.names.includes(n)));
  await Promise.all(
    names.map(async (name) => {
      const record = deps.pids.read(name);
      if (!record) return;
      if (!deps.isAlive(record)) {
        deps.pids.remove(name, record.pid);
        const why = record.startTime === -1 ? 'has no proof it is ours' : 'is gone or is another process now';
        return report({ kind: 'stale', name, pid: record.pid, why });
      }
      const stop = options.stopFor?.(name) ?? record.stop ?? { signal: 'SIGTERM' as const, timeoutMs: 10_000 };
      report({ kind: 'stopping', name, pid: record.pid });
      const t0 = deps.now();
      const { forced, left = [] } = await deps.stop(record, { ...stop, marker: record.marker });
      deps.pids.remove(name, record.pid);
      report({ kind: 'stopped', name, pid: record.pid, forced, left, ms: deps.now() - t0 });
    }),
  );
  return events;
}
