import type { PidRecord, PidStore, ProcessIdentity } from '../di/contracts.js';

/** Pid files in memory, for tests of core with fake processes; the lock is held by one identity at a time. */
export class MemoryPids implements PidStore {
  readonly dir = '/nowhere';
  readonly records = new Map<string, PidRecord>();
  private holder: ProcessIdentity | null = null;

  write(name: string, record: PidRecord): void {
    this.records.set(name, record);
  }

  read(name: string): PidRecord | null {
    return this.records.get(name) ?? null;
  }

  remove(name: string, pid?: number): void {
    if (pid === undefined || this.records.get(name)?.pid === pid) this.records.delete(name);
  }

  list(): string[] {
    return [...this.records.keys()];
  }

  lock(self: ProcessIdentity, isAlive: (identity: ProcessIdentity) => boolean) {
    const holder = this.holder;
    if (holder && holder.pid !== self.pid && isAlive(holder)) return { ok: false as const, holder };
    this.holder = self;
    return { ok: true as const, release: () => void (this.holder === self && (this.holder = null)) };
  }
}
