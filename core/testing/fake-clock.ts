import type { Clock, Scheduler, Timer } from '../di/contracts.js';

interface Scheduled {
  id: number;
  at: number;
  fn: () => void;
  every: number | null;
}

/**
 * A clock and scheduler in one, for tests: time moves only when `advance()` says so, and
 * scheduled work fires in time order as it passes, with pending promises settled between.
 */
export class FakeClock implements Clock, Scheduler {
  private time: number;
  private nextId = 1;
  private timers: Scheduled[] = [];

  constructor(start = Date.UTC(2026, 10, 27, 12, 0, 0)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    return this.add(fn, ms, null);
  }

  setInterval(fn: () => void, ms: number): Timer {
    return this.add(fn, ms, Math.max(1, ms));
  }

  /** How many timers are waiting. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await settle();
      const next = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!next) break;
      this.time = next.at;
      if (next.every === null) this.timers = this.timers.filter((t) => t !== next);
      else next.at += next.every;
      next.fn();
    }
    this.time = end;
    await settle();
  }

  private add(fn: () => void, ms: number, every: number | null): Timer {
    const timer: Scheduled = { id: this.nextId++, at: this.time + Math.max(0, ms), fn, every };
    this.timers.push(timer);
    return { cancel: () => (this.timers = this.timers.filter((t) => t !== timer)) };
  }
}

/** Lets pending promise chains (async hook handlers) run to completion. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
  await new Promise<void>((resolve) => setImmediate(resolve));
}
