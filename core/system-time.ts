import type { Clock, Scheduler, Timer } from './di/tokens.js';

export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
}

/** Real timers; intervals are unref'd so they never keep a finished process alive. */
export class SystemScheduler implements Scheduler {
  setTimeout(fn: () => void, ms: number): Timer {
    const handle = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(handle) };
  }

  setInterval(fn: () => void, ms: number): Timer {
    const handle = setInterval(fn, ms);
    handle.unref();
    return { cancel: () => clearInterval(handle) };
  }
}
