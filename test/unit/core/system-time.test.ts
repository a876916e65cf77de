import { describe, expect, it } from 'vitest';
import { MAX_TIMER_MS, SystemScheduler } from '../../../core/system-time.js';

describe('the real scheduler', () => {
  it('waits a delay past Node timer limit instead of firing at once (30 days, not 1 ms)', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    const scheduler = new SystemScheduler();
    let fired = 0;
    const timeout = scheduler.setTimeout(() => (fired += 1), 30 * 86_400_000);
    const interval = scheduler.setInterval(() => (fired += 1), MAX_TIMER_MS + 1);
    const short = new Promise<void>((resolve) => scheduler.setTimeout(resolve, 30));
    await short;
    await new Promise((r) => setImmediate(r));
    timeout.cancel();
    interval.cancel();
    process.off('warning', onWarning);
    expect(fired).toBe(0);
    expect(warnings).not.toContain('TimeoutOverflowWarning');
  });
});
