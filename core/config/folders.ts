import { accessSync, constants, statSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ConfigIssue } from '../errors.js';

/** File systems that take no folders of ours: /proc, /sys and the like (statfs magic numbers). */
const PSEUDO: Record<number, string> = { 40864: 'proc', 1650812274: 'sysfs', 7377: 'devpts', 2613483: 'cgroup', 1667723888: 'cgroup2' };

/**
 * Whether zmart can keep `path` as a folder of its own (pidDir, logDir), checked before
 * anything is created: it must be a folder, or creatable in the nearest folder that exists,
 * writable, and not on a pseudo file system. Returns the reason it cannot, or null.
 */
export function folderProblem(path: string): string | null {
  let existing = path;
  for (;;) {
    try {
      const stat = statSync(existing);
      if (!stat.isDirectory()) return existing === path ? `${path} is a file, not a folder` : `${existing} is a file, not a folder (in the path of ${path})`;
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return `${existing} cannot be looked at (${code})`;
      const parent = dirname(existing);
      if (parent === existing) return `no folder of ${path} exists`;
      existing = parent;
    }
  }
  try {
    const kind = PSEUDO[statfsSync(existing).type];
    if (kind) return `${existing} is on ${kind}, a system file system where zmart cannot keep files`;
  } catch {
    // statfs not available: the access check below decides
  }
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return `${existing} is not writable (${code === 'EROFS' ? 'read-only file system' : code})`;
  }
  return null;
}

/** The issues of a config's own folders, with their key paths. */
export function folderIssues(folders: { pidDir: string; logDir: string }): ConfigIssue[] {
  return (['pidDir', 'logDir'] as const).flatMap((key) => {
    const problem = folderProblem(folders[key]);
    return problem ? [{ path: key, message: problem }] : [];
  });
}
