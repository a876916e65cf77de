import { type FSWatcher, statSync, watch } from 'node:fs';
import type { Logs, Scheduler, Timer } from '../di/contracts.js';
import type { Alert } from '../service/types.js';

/** The backstop look, for where the folder watch cannot see (a network file system, say). */
const BACKSTOP_MS = 30_000;

export interface LogFolderWatchDeps {
  logs: Logs;
  scheduler: Scheduler;
  logDir: string;
  alert: (alert: Alert) => void;
  /** How the folder is watched (node:fs's, inotify on Linux, FSEvents or kqueue on macOS); tests pass another. */
  watchFolder?: (dir: string, onEvent: (event: string) => void) => FSWatcher;
}

/**
 * A log folder removed under a running fleet (or a log file deleted in it) is made again at
 * once, and said once. The folder is watched (a deletion or rename in it, or of it, wakes
 * zmart; a write does not make it look), with a look every 30 s behind the watch: an idle
 * fleet wakes for nothing, where a poll every 2 s woke it 15 times in 30 s.
 */
export function watchLogFolder(deps: LogFolderWatchDeps): Timer {
  const watchFolder = deps.watchFolder ?? ((dir, onEvent) => watch(dir, { persistent: false }, (event) => onEvent(event)));
  let watcher: FSWatcher | null = null;
  let watched: number | null = null; // the inode of the folder under watch
  let pending: Timer | null = null;

  const check = () => {
    pending = null;
    const remade = deps.logs.verify();
    if (remade.length > 0) {
      deps.alert({ level: 'warning', kind: 'log-folder-missing', message: `${remade.length} log file(s) were deleted (${deps.logDir} removed?): made again` });
    }
    arm();
  };
  // Many events at once (rm -r of a folder of 100 logs) make one look.
  const soon = () => {
    pending ??= deps.scheduler.setTimeout(check, 0);
  };
  const arm = () => {
    const inode = statSync(deps.logDir, { throwIfNoEntry: false })?.ino ?? null;
    if (watcher && inode === watched) return;
    watcher?.close();
    watcher = null;
    watched = inode;
    if (inode === null) return;
    try {
      watcher = watchFolder(deps.logDir, (event) => {
        if (event === 'rename') soon(); // created, deleted or moved; 'change' is a write
      });
      watcher.on('error', () => {
        watcher?.close();
        watcher = null;
        soon();
      });
    } catch {
      watcher = null; // no watch here: the backstop look stands in
    }
  };

  arm();
  const backstop = deps.scheduler.setInterval(check, BACKSTOP_MS);
  return {
    cancel: () => {
      backstop.cancel();
      pending?.cancel();
      watcher?.close();
      watcher = null;
    },
  };
}

/** What the log files say about themselves, passed on: a rotation as a hook, a write that failed or resumed as an alert. */
export function forwardLogEvents(logs: Logs, emitRotated: (file: string, rotatedTo: string) => void, alert: (alert: Alert) => void): void {
  logs.onEvent((event) => {
    if (event.kind === 'rotated') emitRotated(event.file, event.rotatedTo);
    else if (event.kind === 'recovered') alert({ level: 'info', kind: 'log-write-resumed', message: `writing ${event.file} again` });
    else alert({ level: 'warning', kind: 'log-write-failed', message: `cannot write ${event.file}: ${event.message}` });
  });
}

/** An alert's line in the monitor log, at its level. */
export function logAlert(logs: Logs, alert: Alert): void {
  const line = `ALERT ${alert.kind}${alert.service ? ` ${alert.service}` : ''}: ${alert.message}`;
  if (alert.level === 'critical') logs.monitor.error(line);
  else if (alert.level === 'warning') logs.monitor.warn(line);
  else logs.monitor.info(line);
}
