import type { Scheduler } from '../di/contracts.js';

export type Outcome<T> = { settled: true; value: T } | { settled: false };

/**
 * Waits for a promise from code we don't own (a plugin's setup, hook or teardown) for `ms`
 * at most, on the injected scheduler (a fake clock in tests expires it). A rejection is the
 * caller's to see: it rejects. A promise still pending at the deadline is left behind.
 */
export function withDeadline<T>(promise: Promise<T>, ms: number, scheduler: Scheduler): Promise<Outcome<T>> {
  return new Promise<Outcome<T>>((resolve, reject) => {
    const timer = scheduler.setTimeout(() => resolve({ settled: false }), ms);
    promise.then(
      (value) => {
        timer.cancel();
        resolve({ settled: true, value });
      },
      (error: unknown) => {
        timer.cancel();
        reject(error);
      },
    );
  });
}
