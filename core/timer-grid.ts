/**
 * Periodic work that shares wakeups. Each interval runs at the multiples of its period on the
 * clock (a 10 s check at :00, :10, :20...), and whatever is due at one moment runs in one
 * wakeup: a supervisor's checks (memory every 10 s, ports every 5 s, logs every 30 s) wake it
 * as often as the shortest of them, not as often as all of them together. One Node timer,
 * for the next moment anything is due. Waking an idle process is what idle costs, on a laptop
 * battery as in a VM, more than the little each check does.
 */
export class TimerGrid {
  private readonly entries = new Set<{ period: number; fn: () => void }>();
  private timer: NodeJS.Timeout | null = null;
  /** The grid moment the timer is set for. */
  private due = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Runs `fn` every `period` ms, at the multiples of `period` since the epoch; returns its cancel. */
  add(period: number, fn: () => void): () => void {
    const entry = { period, fn };
    this.entries.add(entry);
    this.arm();
    return () => {
      this.entries.delete(entry);
      this.arm();
    };
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.entries.size === 0) return;
    const now = this.now();
    let next = Number.POSITIVE_INFINITY;
    for (const { period } of this.entries) next = Math.min(next, (Math.floor(now / period) + 1) * period);
    this.due = next;
    this.timer = setTimeout(() => this.fire(), next - now);
    this.timer.unref(); // as Node's own intervals here: never what keeps a finished process alive
  }

  private fire(): void {
    const at = this.due;
    for (const entry of [...this.entries]) {
      if (at % entry.period !== 0 || !this.entries.has(entry)) continue;
      try {
        entry.fn();
      } catch (error) {
        // thrown where it would have been from its own timer, without stopping the others
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    this.arm();
  }
}
