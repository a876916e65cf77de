import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TimerGrid } from '../../../core/timer-grid.js';

describe('the timer grid', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.UTC(2026, 10, 30, 12, 0, 3, 250));
  });
  afterEach(() => vi.useRealTimers());

  it('runs each interval at the multiples of its period, those due together in one wakeup, on one timer', () => {
    const grid = new TimerGrid();
    const runs: string[] = [];
    grid.add(5000, () => runs.push(`5s@${new Date().getUTCSeconds()}`));
    grid.add(10_000, () => runs.push(`10s@${new Date().getUTCSeconds()}`));
    grid.add(30_000, () => runs.push(`30s@${new Date().getUTCSeconds()}`));
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1750); // 12:00:05
    expect(runs).toEqual(['5s@5']);
    vi.advanceTimersByTime(25_000); // 12:00:30
    expect(runs).toEqual(['5s@5', '5s@10', '10s@10', '5s@15', '5s@20', '10s@20', '5s@25', '5s@30', '10s@30', '30s@30']);
    expect(vi.getTimerCount()).toBe(1);
  });

  it('forgets a cancelled interval, and has no timer once none is left', () => {
    const grid = new TimerGrid();
    let a = 0;
    let b = 0;
    const cancelA = grid.add(1000, () => (a += 1));
    const cancelB = grid.add(2000, () => (b += 1));
    vi.advanceTimersByTime(2000);
    cancelA();
    vi.advanceTimersByTime(4000);
    expect([a, b]).toEqual([2, 3]);
    cancelB();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('one that throws does not keep the others from running, nor stop its own next run', () => {
    const grid = new TimerGrid();
    const errors: unknown[] = [];
    let ok = 0;
    let bad = 0;
    grid.add(1000, () => {
      bad += 1;
      throw new Error('boom');
    });
    grid.add(1000, () => (ok += 1));
    const queue = vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((task) => {
      try {
        task();
      } catch (error) {
        errors.push(error);
      }
    });
    vi.advanceTimersByTime(2000);
    queue.mockRestore();
    expect([bad, ok]).toEqual([2, 2]);
    expect(errors).toHaveLength(2);
  });
});
