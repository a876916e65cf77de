import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseVmStat } from '../../../core/vm-stat.js';

/** vm_stat's output in macOS's format (Apple silicon: 16 KB pages), written from its manual. */
const recorded = readFileSync(new URL('../../fixtures/macos/vm_stat.txt', import.meta.url), 'utf8');

describe('available memory on macOS (vm_stat)', () => {
  it('is the free and inactive pages, at the page size it names', () => {
    expect(parseVmStat(recorded)).toBe((6523 + 389442) * 16384);
  });

  it('is null for anything that is not vm_stat output', () => {
    expect(parseVmStat('')).toBeNull();
    expect(parseVmStat('Pages free: 12.\nPages inactive: 5.\n')).toBeNull(); // no page size
    expect(parseVmStat('Mach Virtual Memory Statistics: (page size of 4096 bytes)\nPages free: 12.\n')).toBeNull();
  });
});
