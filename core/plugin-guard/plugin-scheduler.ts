import type { Scheduler, Timer } from '../di/contracts.js';
import type { PluginWatch } from './plugin-watch.js';

/**
 * One plugin's `ctx.scheduler`: the supervisor's scheduler, with each callback timed by the
 * watchdog and caught at the boundary (a throw, or a rejection of an async callback, is
 * reported naming the plugin and stops nothing else). It keeps the plugin's live timers, so
 * a plugin set aside or torn down leaves none behind.
 */
export class PluginScheduler implements Scheduler {
  private readonly live = new Set<Timer>();

  constructor(
    private readonly owner: string,
    private readonly inner: Scheduler,
    private readonly watch: PluginWatch,
    private readonly report: (error: unknown, where: string) => void,
  ) {}

  setTimeout(fn: () => void, ms: number): Timer {
    const timer: Timer = {
      cancel: () => {
        this.live.delete(timer);
        inner.cancel();
      },
    };
    const inner = this.inner.setTimeout(() => {
      this.live.delete(timer);
      this.call(fn);
    }, ms);
    this.live.add(timer);
    return timer;
  }

  setInterval(fn: () => void, ms: number): Timer {
    const inner = this.inner.setInterval(() => this.call(fn), ms);
    const timer: Timer = {
      cancel: () => {
        this.live.delete(timer);
        inner.cancel();
      },
    };
    this.live.add(timer);
    return timer;
  }

  /** Cancels every timer the plugin still has. */
  cancelAll(): void {
    for (const timer of [...this.live]) timer.cancel();
  }

  /** How many timers the plugin has now. */
  get pending(): number {
    return this.live.size;
  }

  private call(fn: () => unknown): void {
    try {
      const result = this.watch.time(this.owner, 'timer', fn);
      if (result instanceof Promise) result.catch((error: unknown) => this.report(error, 'timer'));
    } catch (error) {
      this.report(error, 'timer');
    }
  }
}
