import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ProcessIdentity } from '../di/contracts.js';

export interface Lock {
  /** Removes the lock file, if it is still this holder's. */
  release(): void;
}

export type LockResult = { ok: true; lock: Lock } | { ok: false; holder: ProcessIdentity };

const read = (file: string): string | null => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};

const parse = (text: string | null): ProcessIdentity | null => {
  try {
    const value = JSON.parse(text ?? '') as Partial<ProcessIdentity>;
    return Number.isInteger(value.pid) && typeof value.startTime === 'number' ? (value as ProcessIdentity) : null;
  } catch {
    return null;
  }
};

/**
 * An exclusive lock held for a process's whole life: a file naming its holder (pid and start
 * time), made whole aside and linked into place (link(2) fails if the name exists, so two
 * takers cannot both win, and a reader never sees half a file). A lock whose holder is gone
 * (not alive with that start time) is stale: it is moved aside and removed, and taken again.
 */
export function acquireLock(file: string, self: ProcessIdentity, isAlive: (identity: ProcessIdentity) => boolean): LockResult {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const mine = JSON.stringify({ pid: self.pid, startTime: self.startTime });
  const temp = `${file}.${self.pid}.tmp`;
  writeFileSync(temp, mine, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 10; attempt += 1) {
      try {
        linkSync(temp, file);
        return { ok: true, lock: { release: () => (read(file) === mine ? rmSync(file, { force: true }) : undefined) } };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const text = read(file);
      const holder = parse(text);
      if (holder && isAlive(holder)) return { ok: false, holder };
      if (text === null) continue; // removed meanwhile: try again
      clearStale(file, text, self.pid);
    }
    throw new Error(`could not take the lock ${file}: it keeps changing`);
  } finally {
    rmSync(temp, { force: true });
  }
}

/** Moves a stale lock aside; if what was moved is not the stale one (a racer's fresh lock), puts it back. */
function clearStale(file: string, stale: string, pid: number): void {
  const aside = `${file}.stale.${pid}`;
  try {
    renameSync(file, aside);
  } catch {
    return; // someone else cleared it
  }
  if (read(aside) !== stale) {
    try {
      linkSync(aside, file);
    } catch {
      /* a third one took it meanwhile: theirs stands */
    }
  }
  rmSync(aside, { force: true });
}
