import type { Clock, Scheduler, Timer } from './di/contracts.js';
import { TimerGrid } from './timer-grid.js';

/** Node's timers hold at most 2^31-1 ms (~24.8 days); a longer delay would fire after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
}

/** Intervals of a second or more run on the shared grid (timer-grid.ts); shorter ones on their own timer. */
const GRID_MIN_MS = 1000;

/**
 * Real timers of any length: a delay past Node's limit is waited in steps. Intervals of a
 * second or more share wakeups on a grid of the clock. Intervals are unref'd so they never
 * keep a finished process alive.
 */
export class SystemScheduler implements Scheduler {
  private readonly grid = new TimerGrid();

  setTimeout(fn: () => void, ms: number): Timer {
    if (ms <= 0) {
      // Node's setTimeout(fn, 0) waits at least 1 ms; a restart with no delay should not.
      const immediate = setImmediate(fn);
      return { cancel: () => clearImmediate(immediate) };
    }
    let handle: NodeJS.Timeout;
    const due = Date.now() + ms;
    const arm = (left: number) => {
      handle = setTimeout(
        () => {
          const rest = due - Date.now();
          if (rest > 0) arm(rest);
          else fn();
        },
        Math.min(left, MAX_TIMER_MS),
      );
    };
    arm(ms);
    return { cancel: () => clearTimeout(handle) };
  }

  setInterval(fn: () => void, ms: number): Timer {
    if (ms > MAX_TIMER_MS) {
      let current: Timer;
      const again = () => {
        current = this.setTimeout(() => {
          again();
          fn();
        }, ms);
      };
      again();
      return { cancel: () => current.cancel() };
    }
    if (ms >= GRID_MIN_MS) return { cancel: this.grid.add(Math.round(ms), fn) };
    const handle = setInterval(fn, Math.max(1, ms));
    handle.unref();
    return { cancel: () => clearInterval(handle) };
  }
}

/** A delay Node's own timers can hold: longer waits are capped at ~24.8 days (a probe or command timeout). */
export const timerDelay = (ms: number): number => Math.min(Math.max(0, ms), MAX_TIMER_MS);
