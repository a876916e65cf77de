import { writeSync } from 'node:fs';
import type { Logs } from '../di/contracts.js';

/** The exit status after a fault in core (sysexits' EX_SOFTWARE). */
export const CORE_FAULT_EXIT = 70;

/** How long the logs get to take the last line before the process goes. */
const FLUSH_MS = 1000;

/**
 * A fault in core ends the supervisor instead of leaving it running in a state nobody knows:
 * an exception that reached the top of the event loop (or a rejection nobody handled) is
 * written as one line to stderr and to zmart.log, and the process exits CORE_FAULT_EXIT.
 * The services keep running and the next `zmart start` adopts them (their pid files prove
 * them). Faults in plugins never get here: the plugin boundary catches them and names the
 * plugin (hook handlers, timers, watch and log callbacks).
 */
export function endOnCoreFault(logs: () => Logs | null, exit: (code: number) => void = (code) => process.exit(code)): () => void {
  let ending = false;
  const fault = (kind: string) => (error: unknown) => {
    const line = `${kind} in the supervisor, exiting (the next 'zmart start' adopts the running services): ${describe(error)}`;
    try {
      writeSync(2, `${new Date().toISOString()} ${line}\n`);
    } catch {
      /* stderr closed: zmart.log still gets it */
    }
    if (ending) return;
    ending = true;
    const log = logs();
    if (!log) return exit(CORE_FAULT_EXIT);
    log.supervisor.error(line);
    const timer = setTimeout(() => exit(CORE_FAULT_EXIT), FLUSH_MS);
    void log.close().finally(() => {
      clearTimeout(timer);
      exit(CORE_FAULT_EXIT);
    });
  };
  const onException = fault('uncaught exception');
  const onRejection = fault('unhandled rejection');
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}

/** The error's first stack frames on one line: enough to find it, never a wall. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const frames = (error.stack ?? '')
    .split('\n')
    .slice(1, 4)
    .map((f) => f.trim());
  return [`${error.name}: ${error.message}`, ...frames].join(' | ');
}
