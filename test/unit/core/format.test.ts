import { describe, expect, it } from 'vitest';
import { formatDuration, formatNames } from '../../../core/format.js';

describe('formatNames', () => {
  it('lists a few names whole, and a fleet as its first names and a count', () => {
    expect(formatNames(['api', 'dashboard'])).toBe('api, dashboard');
    expect(formatNames(Array.from({ length: 8 }, (_, i) => `s${i}`))).toBe('s0, s1, s2, s3, s4, s5, s6, s7');
    expect(formatNames(Array.from({ length: 1000 }, (_, i) => `s${i}`))).toBe('s0, s1, s2, s3, s4, s5 and 994 more');
  });
});

describe('formatDuration', () => {
  it("reads like the seed's uptimes", () => {
    expect([120, 45_000, 125_000, 8_100_000, 90_000_000].map(formatDuration)).toEqual(['120ms', '45s', '2m 5s', '2h 15m', '1d 1h']);
  });
});
