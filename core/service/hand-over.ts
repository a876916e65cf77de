import type { ResolvedService } from '../config/types.js';
import type { Scheduler } from '../di/contracts.js';
import { formatDuration } from '../format.js';
import { errorText } from '../errors.js';
import type { Logs } from '../di/contracts.js';
import { exitDetail, Incarnation, type IncarnationDeps } from './incarnation.js';
import { lineMatcher, watchForLine } from './ready-line.js';

/** The pid file a successor is recorded under until it takes over (`+` is in no service's name). */
export const successorRecord = (service: string): string => `${service}+next`;

/**
 * Whether a successor started beside the running process (a hand-over of a service whose socket
 * zmart holds) becomes ready: null once it is, else why not. On a shared socket a probe cannot
 * tell which process answered, so readiness is what only the successor can say, as PM2 waits for
 * the worker's own `ready` message and systemd for its READY=1: its `ready.logLine` in its own
 * output, else staying up for `readyAfter`. It exits, does not get there within `waitMs`, or the
 * operator stops the service (`abort`): not ready.
 */
export function successorReady(
  successor: Incarnation,
  config: ResolvedService,
  deps: { scheduler: Scheduler; waitMs: number; abort: Promise<string> },
): Promise<string | null> {
  return new Promise((resolve) => {
    const cleanups: Array<() => void> = [];
    let done = false;
    const settle = (why: string | null) => {
      if (done) return;
      done = true;
      for (const cleanup of cleanups) cleanup();
      resolve(why);
    };
    const { ready, readyAfterMs } = config;
    if (ready && 'logLine' in ready) {
      cleanups.push(watchForLine([successor.handle.stdout, successor.handle.stderr], lineMatcher(ready.logLine), () => settle(null)));
    } else {
      const timer = deps.scheduler.setTimeout(() => settle(null), readyAfterMs);
      cleanups.push(() => timer.cancel());
    }
    const deadline = deps.scheduler.setTimeout(() => settle(`not ready within ${formatDuration(deps.waitMs)}`), deps.waitMs);
    cleanups.push(() => deadline.cancel());
    void successor.exited.then((exit) => settle(`${exitDetail(exit)} before it was ready`));
    void deps.abort.then((why) => settle(why));
  });
}

/**
 * Starts a successor beside `old` (same socket, recorded in its own pid file) and waits until it
 * is ready: then it holds the service's pid file and is returned; the caller makes it the
 * service's process and stops the old one. Not ready: it is stopped (the old process serves on)
 * and why is returned.
 */
export async function startSuccessor(
  old: Incarnation,
  config: ResolvedService,
  deps: IncarnationDeps & { scheduler: Scheduler; logs: Logs; waitMs: number; attempt: number; abort: Promise<string> },
): Promise<{ successor: Incarnation } | { why: string }> {
  const { name } = config;
  let successor: Incarnation;
  try {
    successor = await Incarnation.spawn(config, deps, deps.attempt, successorRecord(name));
  } catch (error) {
    return { why: `could not start: ${errorText(error)}` };
  }
  successor.handingOver = true;
  deps.logs.monitor.info(`${name}: hand-over: successor pid ${successor.pid} started beside pid ${old.pid}`);
  const why = await successorReady(successor, config, deps);
  if (why !== null) {
    deps.logs.monitor.warn(`${name}: hand-over stopped: successor pid ${successor.pid} ${why}; pid ${old.pid} serves on`);
    await successor.kill(config.stop);
    return { why };
  }
  successor.takeOverRecord();
  successor.handingOver = false;
  successor.readyMet = true;
  old.handingOver = true;
  deps.logs.monitor.info(`${name}: hand-over: successor pid ${successor.pid} ready; pid ${old.pid} stops`);
  return { successor };
}
