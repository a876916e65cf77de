import type { Clock, Scheduler, Timer } from './di/contracts.js';

export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
}

/** Real timers; intervals are unref'd so they never keep a finished process alive. */
export class SystemScheduler implements Scheduler {
  setTimeout(fn: () => void, ms: number): Timer {
    if (ms <= 0) {
      // Node's setTimeout(fn, 0) waits at least 1 ms; a restart with no delay should not.
      const immediate = setImmediate(fn);
      return { cancel: () => clearImmediate(immediate) };
    }
    const handle = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(handle) };
  }

  setInterval(fn: () => void, ms: number): Timer {
    const handle = setInterval(fn, ms);
    handle.unref();
    return { cancel: () => clearInterval(handle) };
  }
}
