import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BUCKETS_MS, bucketOf, emptyPeriod, HistoryWriter, localDate, type Minute, percentile, readDays, readMinutes } from '../../../../core/history/store.js';
import { tempDir } from '../../../helpers/project.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean).length;

function minute(t: number, patch: Partial<Minute> = {}): Minute {
  return { t, ...emptyPeriod(), samples: 6, up: 6, ...patch };
}

describe('the history store', () => {
  it('takes percentiles from bucket counts, interpolated within the bucket', () => {
    const histogram = BUCKETS_MS.map(() => 0).concat(0);
    for (let i = 0; i < 90; i += 1) histogram[bucketOf(8)]! += 1; // (5, 10]
    for (let i = 0; i < 10; i += 1) histogram[bucketOf(400)]! += 1; // (250, 500]
    expect(percentile(histogram, 0.5)).toBe(8); // 5 + 5 * 45/90
    expect(percentile(histogram, 0.95)).toBe(375); // 250 + 250 * 5/10
    expect(percentile(BUCKETS_MS.map(() => 0).concat(0), 0.5)).toBeNull();
    expect(bucketOf(60_000)).toBe(BUCKETS_MS.length);
  });

  it('rolls finished days up, keeps 24 hours of minutes and skips a line cut by a crash', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const writer = new HistoryWriter(dir);
    const midnight = new Date(2026, 10, 1).getTime(); // local midnight, 1 Nov
    for (let i = 0; i < 1600; i += 1) {
      const histogram = BUCKETS_MS.map(() => 0).concat(0);
      histogram[bucketOf(20)] = 2;
      await writer.append('api', minute(midnight + i * 60_000, { up: i % 60 === 0 ? 0 : 6, histogram, restarts: i === 10 ? { exit: 1 } : {} }));
    }
    // the first day is rolled up whole; 160 minutes of the second are still minutes
    const days = readDays(dir, 'api', midnight);
    expect(days.map((d) => [d.date, d.minutes])).toEqual([
      ['2026-11-01', 1440],
      ['2026-11-02', 160],
    ]);
    expect(days[0]).toMatchObject({ samples: 1440 * 6, up: (1440 - 24) * 6, restarts: { exit: 1 } });
    expect(percentile(days[0]!.histogram, 0.5)).toBe(18);
    expect(lines(join(dir, 'api.minutes.jsonl'))).toBeLessThanOrEqual(1440 + 60);
    expect(readMinutes(dir, 'api', midnight + 1599 * 60_000)).toHaveLength(1);
    // a crash mid-line: the cut line is skipped, the rest is read
    appendFileSync(join(dir, 'api.minutes.jsonl'), '{"t":17');
    expect(readDays(dir, 'api', midnight).at(-1)!.minutes).toBe(160);
    expect(localDate(midnight)).toBe('2026-11-01');
  });

  it('keeps 90 days', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const writer = new HistoryWriter(dir);
    const start = new Date(2026, 0, 1).getTime();
    for (let day = 0; day < 160; day += 1) await writer.append('api', minute(new Date(2026, 0, 1 + day, 12).getTime()));
    expect(lines(join(dir, 'api.days.jsonl'))).toBeLessThanOrEqual(90 + 60);
    const days = readDays(dir, 'api', start);
    expect(days.length).toBeGreaterThanOrEqual(90);
    expect(days.at(-1)!.date).toBe(localDate(new Date(2026, 0, 160, 12).getTime()));
  });
});
