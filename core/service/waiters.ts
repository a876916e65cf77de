/** Callers waiting for a condition on a service, looked at again at each `wake()` (a state or health change). */
export class Waiters {
  private readonly pending = new Set<() => void>();

  async until(done: () => boolean): Promise<void> {
    while (!done()) await new Promise<void>((resolve) => this.pending.add(resolve));
  }

  wake(): void {
    const woken = [...this.pending];
    this.pending.clear();
    for (const resolve of woken) resolve();
  }
}
