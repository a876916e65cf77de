import type { Clock, Logs, PidRecord, PidStore, ProcessInspector, ProcessRunner } from '../di/contracts.js';
import { ZmartError } from '../errors.js';
import { stopLeftovers } from '../process/leftovers.js';

/** The supervisor's own pid file: `<pidDir>/monitor.pid`. */
export const MONITOR = 'monitor';

/**
 * One supervisor per pid folder, for its whole life: an exclusive lock proven by pid and start
 * time (a stale one is cleared), then monitor.pid for the operator. Throws ZMART_ALREADY_RUNNING
 * naming the holder; returns the lock's release.
 */
export function claimFolder(deps: { pids: PidStore; inspector: ProcessInspector; clock: Clock; root: string }): () => void {
  const { pids, inspector } = deps;
  const self = inspector.info(process.pid);
  const lock = pids.lock({ pid: process.pid, startTime: self?.startTime ?? -1 }, (identity) => inspector.isAlive(identity));
  const running = (pid: number) => new ZmartError('ZMART_ALREADY_RUNNING', `zmart is already running for ${deps.root} (pid ${pid})`);
  if (!lock.ok) throw running(lock.holder.pid);
  // A supervisor of an earlier zmart holds no lock, only a live monitor.pid with its proof.
  const legacy = pids.read(MONITOR);
  if (legacy && legacy.pid !== process.pid && inspector.isAlive(legacy)) {
    lock.release();
    throw running(legacy.pid);
  }
  pids.write(MONITOR, {
    pid: process.pid,
    startTime: self?.startTime ?? -1,
    command: self?.command ?? process.argv.join(' '),
    recordedAt: deps.clock.now(),
  });
  return lock.release;
}

/** Pid files left by a run that died without stopping its services (see stopLeftovers), logged in the startup log. */
export function clearLeftovers(deps: {
  pids: PidStore;
  inspector: ProcessInspector;
  runner: ProcessRunner;
  clock: Clock;
  logs: Logs;
  stopFor: (name: string) => PidRecord['stop'];
}): Promise<unknown> {
  return stopLeftovers(
    {
      pids: deps.pids,
      isAlive: (identity) => deps.inspector.isAlive(identity),
      stop: (target, options) => deps.runner.stop(target, options),
      now: () => deps.clock.now(),
    },
    {
      stopFor: deps.stopFor,
      report: (event) => {
        if (event.kind === 'stale') deps.logs.startup.info(`${event.name}: stale pid file removed (pid ${event.pid} ${event.why}; not signalled)`);
        else if (event.kind === 'stopping') deps.logs.startup.warn(`${event.name}: pid ${event.pid} left by an earlier run is still alive: stopping it`);
      },
    },
  );
}
