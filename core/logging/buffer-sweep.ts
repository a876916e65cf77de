import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Bytes of service output between two sweeps of V8's young generation. 200 MB of 10- and
 * 100-byte lines (bench/flood-memory.mjs): the peak rose 38 and 28 MB with no sweep, 11 and 14
 * with one every 4 MB, 8 and 8 every 2 MB, 7 and 6 every 1 MB (the 100-byte flood then 12 %
 * slower); the flood's pace was the same at 2 MB and more.
 */
export const SWEEP_EVERY_BYTES = 2 * 1024 * 1024;

/**
 * Frees the buffers a log flood leaves behind as it goes. Each read from a service's pipe and
 * each stamped chunk is memory outside V8's heap, while the JavaScript objects that hold it
 * are tiny: the young generation (1 MB in the supervisor) fills so slowly that V8 sweeps it
 * after hundreds of MB have gone by, and collects the dead buffers only when their memory has
 * grown by tens of MB, with a full mark-compact. A minor collection (a scavenge, well under a
 * millisecond for a heap this small) every few MB of output frees them while they are young,
 * and the supervisor's peak stays near its idle size (200 MB of 10-byte lines: +38 MB
 * without, ~+8 MB with; bench/flood-memory.mjs).
 */
export class BufferSweep {
  private since = 0;
  private collect: (() => void) | null | undefined;

  constructor(
    private readonly everyBytes = SWEEP_EVERY_BYTES,
    private readonly obtain: () => (() => void) | null = minorCollector,
  ) {}

  /** `bytes` more of output went through; sweeps when enough has since the last sweep. */
  passed(bytes: number): void {
    this.since += bytes;
    if (this.since < this.everyBytes) return;
    this.since = 0;
    if (this.collect === undefined) this.collect = this.obtain(); // once, at the first flood
    this.collect?.();
  }
}

/**
 * V8's minor collection: `gc` where the process was started with --expose-gc (the background
 * supervisor is), else exposed now (a foreground supervisor: ~2.5 MB for a context of its
 * own, paid only once a service floods); null where neither works.
 */
export function minorCollector(): (() => void) | null {
  try {
    let gc: unknown = (globalThis as { gc?: unknown }).gc;
    if (typeof gc !== 'function') {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc');
    }
    if (typeof gc !== 'function') return null;
    const collect = gc as (options: { type: 'minor' }) => void;
    return () => collect({ type: 'minor' });
  } catch {
    return null;
  }
}
