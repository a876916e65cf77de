import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FileWatch, FileWatcher } from '../di/contracts.js';

/**
 * File watching through chokidar (inotify on Linux, FSEvents on macOS: no polling, so an
 * idle tree costs no CPU), imported the first time something is watched: a fleet that
 * watches nothing never loads it.
 */
export class ChokidarWatcher implements FileWatcher {
  watch(paths: string[], options: { cwd: string; ignore: (path: string) => boolean }, onChange: (path: string) => void): FileWatch {
    const absolute = paths.map((p) => resolve(options.cwd, p));
    const ready = import('chokidar').then(({ watch }) => {
      const watcher = watch(absolute, { ignoreInitial: true, ignored: (path: string) => options.ignore(resolve(path)), persistent: true });
      watcher.on('all', (_event, path) => onChange(resolve(options.cwd, path)));
      return watcher;
    });
    return { missing: absolute.filter((p) => !existsSync(p)), close: async () => (await ready).close() };
  }
}
