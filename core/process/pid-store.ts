import { chmodSync, mkdirSync, readFileSync, readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PidRecord, PidStore, ProcessIdentity } from '../di/contracts.js';
import { acquireLock } from './lock-file.js';

/**
 * `<dir>/<name>.pid` holds the pid and a newline, nothing else (so `kill $(cat ...)` works);
 * `<dir>/<name>.state.json` beside it holds the proof of identity: pid, start time, command.
 * Both are written atomically (temp file + rename) and owner-only.
 */
export class FilePidStore implements PidStore {
  /** The pid this store last wrote for each name: one supervisor holds the folder's lock, so the file still says it. */
  private readonly written = new Map<string, number>();

  constructor(readonly dir: string) {}

  write(name: string, record: PidRecord): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    writeAtomic(join(this.dir, `${name}.state.json`), `${JSON.stringify(record)}\n`);
    writeAtomic(join(this.dir, `${name}.pid`), `${record.pid}\n`);
    this.written.set(name, record.pid);
  }

  read(name: string): PidRecord | null {
    const pid = this.readPid(name);
    if (pid === null) return null;
    try {
      const state = JSON.parse(readFileSync(join(this.dir, `${name}.state.json`), 'utf8')) as Partial<PidRecord>;
      if (state.pid !== pid || typeof state.startTime !== 'number') return { pid, startTime: -1, command: '', recordedAt: 0 };
      return {
        pid,
        startTime: state.startTime,
        command: String(state.command ?? ''),
        recordedAt: Number(state.recordedAt ?? 0),
        ...(state.stop ? { stop: state.stop } : {}),
        ...(typeof state.marker === 'string' ? { marker: state.marker } : {}),
      };
    } catch {
      // A pid file without proof: its pid is reported, never signalled (startTime -1 matches nothing).
      return { pid, startTime: -1, command: '', recordedAt: 0 };
    }
  }

  remove(name: string, pid?: number): void {
    // Whose they are: what this store wrote says it, else the pid file (never the state file).
    if (pid !== undefined) {
      const current = this.written.get(name) ?? this.readPid(name);
      if (current !== null && current !== pid) return;
    }
    unlinkIfThere(join(this.dir, `${name}.pid`));
    unlinkIfThere(join(this.dir, `${name}.state.json`));
    this.written.delete(name);
  }

  /** The pid in `<name>.pid`; null when there is none (or it is not a pid). */
  private readPid(name: string): number | null {
    let pidText: string;
    try {
      pidText = readFileSync(join(this.dir, `${name}.pid`), 'utf8').trim();
    } catch {
      return null;
    }
    const pid = Number(pidText);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  }

  lock(self: ProcessIdentity, isAlive: (identity: ProcessIdentity) => boolean) {
    const result = acquireLock(join(this.dir, 'monitor.lock'), self, isAlive);
    return result.ok ? { ok: true as const, release: () => result.lock.release() } : result;
  }

  list(): string[] {
    try {
      return readdirSync(this.dir)
        .filter((f) => f.endsWith('.pid'))
        .map((f) => f.slice(0, -'.pid'.length));
    } catch {
      return [];
    }
  }
}

function writeAtomic(path: string, content: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, content, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

/** unlink, not rmSync: a stop of thousands removes two files each, and rmSync walks its recursive path for each. */
function unlinkIfThere(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
