import { constants, PerformanceObserver } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { BufferSweep, minorCollector } from '../../../../core/logging/buffer-sweep.js';

describe('the buffer sweep', () => {
  it('collects once per threshold of bytes, asking for the collector only at the first', () => {
    let obtained = 0;
    let collected = 0;
    const sweep = new BufferSweep(100, () => {
      obtained += 1;
      return () => {
        collected += 1;
      };
    });
    for (let i = 0; i < 9; i += 1) sweep.passed(10);
    expect([obtained, collected]).toEqual([0, 0]); // 90 bytes: not yet
    sweep.passed(10);
    expect([obtained, collected]).toEqual([1, 1]);
    sweep.passed(250); // one chunk past the threshold: one sweep, the count starts again
    sweep.passed(99);
    expect([obtained, collected]).toEqual([1, 2]);
  });

  it('does nothing where no collector can be had', () => {
    let obtained = 0;
    const sweep = new BufferSweep(1, () => {
      obtained += 1;
      return null;
    });
    for (let i = 0; i < 5; i += 1) sweep.passed(10);
    expect(obtained).toBe(1); // asked once, not at every threshold
  });

  it("runs V8's minor collection, in a process started without --expose-gc too", async () => {
    const collect = minorCollector();
    expect(collect).toBeTypeOf('function');
    const minor = new Promise<void>((resolve) => {
      const observer = new PerformanceObserver((list) => {
        if (!list.getEntries().some((entry) => (entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR)) return;
        observer.disconnect();
        resolve();
      });
      observer.observe({ entryTypes: ['gc'] });
    });
    collect!();
    await minor;
  });
});
