import type { Clock, Logs, PidRecord, PidStore, ProcessInspector, ProcessRunner, Scheduler, Timer } from '../di/contracts.js';
import { ZmartError } from '../errors.js';
import { stopLeftovers } from '../process/leftovers.js';
import type { Alert } from '../service/types.js';

/** The supervisor's own pid file: `<pidDir>/monitor.pid`. */
export const MONITOR = 'monitor';

/** How often the log files are checked for having been deleted under zmart. */
const LOG_CHECK_MS = 2000;

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

/** A log folder removed under a running fleet is made again within seconds, and said once. */
export function watchLogFolder(deps: { logs: Logs; scheduler: Scheduler; logDir: string; alert: (alert: Alert) => void }): Timer {
  return deps.scheduler.setInterval(() => {
    const remade = deps.logs.verify();
    if (remade.length === 0) return;
    deps.alert({ level: 'warning', kind: 'log-folder-missing', message: `${remade.length} log file(s) were deleted (${deps.logDir} removed?): made again` });
  }, LOG_CHECK_MS);
}
