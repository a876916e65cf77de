import { relative, resolve } from 'node:path';
import type { FileWatch, FileWatcher } from '../di/contracts.js';

interface Watch {
  roots: string[];
  ignore: (path: string) => boolean;
  onChange: (path: string) => void;
  closed: boolean;
}

/** File watching for plugin tests: `change(path)` plays a change, seen by every open watch that covers it and does not ignore it. */
export class FakeFiles implements FileWatcher {
  readonly watches: Watch[] = [];
  /** Absolute paths the fake disk lacks: a watch on one reports it `missing`. */
  readonly absent = new Set<string>();

  watch(paths: string[], options: { cwd: string; ignore: (path: string) => boolean }, onChange: (path: string) => void): FileWatch {
    const watch: Watch = { roots: paths.map((p) => resolve(options.cwd, p)), ignore: options.ignore, onChange, closed: false };
    this.watches.push(watch);
    return { missing: watch.roots.filter((root) => this.absent.has(root)), close: async () => void (watch.closed = true) };
  }

  /** An absolute path changed on disk. */
  change(path: string): void {
    for (const w of this.watches) {
      const covered = w.roots.some((root) => !relative(root, path).startsWith('..'));
      if (!w.closed && covered && !w.ignore(path)) w.onChange(path);
    }
  }

  /** Watches still open. */
  get open(): number {
    return this.watches.filter((w) => !w.closed).length;
  }
}
