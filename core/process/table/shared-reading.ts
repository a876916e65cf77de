/**
 * A reading kept for a moment and shared by whoever asks within it: the stops of a fleet-wide
 * `zmart stop` each ask the same question of every process at once.
 */
export class SharedReading<T> {
  private last: { at: number; value: T } | null = null;

  constructor(
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(read: () => T): T {
    if (this.last && this.now() - this.last.at <= this.maxAgeMs) return this.last.value;
    const value = read();
    this.last = { at: this.now(), value };
    return value;
  }
}
