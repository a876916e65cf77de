import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCpuTime, parseLstart, parsePs, parsePsLine, pidsCarrying } from '../../../../../core/process/table/portable/ps-output.js';

/**
 * Outputs in macOS's format, written from its ps(1) manual (BSD column layout, `lstart`
 * dates with a space-padded day, `time` as minutes:seconds.hundredths, state letters with
 * their flags): the machine that runs these tests is Linux, so they are recorded by hand.
 */
const recorded = (name: string) => readFileSync(new URL(`../../../../fixtures/macos/${name}`, import.meta.url), 'utf8');

describe('ps output (macOS, BSD ps)', () => {
  const rows = parsePs(recorded('ps-A.txt'));

  it('reads every process: ids, group, state, memory, CPU, start and command', () => {
    expect(rows).toHaveLength(11);
    expect(rows.find((r) => r.pid === 4250)).toEqual({
      pid: 4250,
      ppid: 4242,
      pgid: 4250,
      state: 'S',
      rssBytes: 101344 * 1024,
      cpuTicks: 6251,
      startTime: Date.UTC(2026, 10, 30, 9, 0, 2) / 1000,
      threads: 1,
      command: '/Users/ana/bot/backend/zmart-api/venv/bin/python -m uvicorn src.main:app --port 8000',
    });
  });

  it('keeps a command whole: semicolons, parentheses and runs of spaces', () => {
    expect(rows.find((r) => r.pid === 4251)?.command).toBe(
      '/Users/ana/bot/backend/zmart-api/venv/bin/python -c from multiprocessing.spawn import spawn_main; spawn_main(tracker_fd=5)',
    );
    expect(rows.find((r) => r.pid === 4410)?.command).toBe('sleep   1000');
  });

  it('reads the state letter: zombie, stopped, and BSD idle as a sleep', () => {
    const state = (pid: number) => rows.find((r) => r.pid === pid)?.state;
    expect([state(4301), state(4410), state(4400), state(5001)]).toEqual(['Z', 'T', 'S', 'R']);
  });

  it('reads a space-padded day and more than an hour of CPU in minutes', () => {
    const launchd = rows.find((r) => r.pid === 1)!;
    expect(launchd.startTime).toBe(Date.UTC(2026, 10, 2, 8, 12, 40) / 1000);
    expect(rows.find((r) => r.pid === 4260)?.cpuTicks).toBe(750_312);
  });

  it('finds the tree of a service from parent links, the zombie included', () => {
    const children = rows.filter((r) => r.ppid === 4260).map((r) => r.pid);
    expect(children).toEqual([4301, 4410]);
  });
});

describe('ps output (Linux, procps)', () => {
  it('reads hours:minutes:seconds and days of CPU, and a kernel thread', () => {
    const row = parsePsLine('    1     0     0 S<Ll  9380 2-00:01:14 Mon Nov 30 11:37:46 2026 /process_api --addr 0.0.0.0:2024');
    expect(row).toMatchObject({ pid: 1, state: 'S', cpuTicks: (2 * 86_400 + 74) * 100, rssBytes: 9380 * 1024 });
    expect(parsePsLine('    2     0     0 S        0 00:00:00 Mon Nov 30 11:37:46 2026 [kthreadd]')?.command).toBe('[kthreadd]');
  });
});

describe('what is not a ps line', () => {
  it.each([
    '',
    '  PID  PPID  PGID STAT   RSS      TIME STARTED COMMAND',
    ' 12 1 12 S 100 0:00.01 Mon Foo 30 09:00:00 2026 x',
    ' 12 1 12 S 100 0:0x.01 Mon Nov 30 09:00:00 2026 x',
    'ps: illegal option -- w',
  ])('is skipped: %j', (line) => {
    expect(parsePsLine(line)).toBeNull();
  });

  it('a date or CPU time that is not one is NaN', () => {
    expect(parseLstart('Mon Nov 30 25:61')).toBeNaN();
    expect(parseCpuTime('12')).toBeNaN();
    expect(parseCpuTime('1:2:3:4')).toBeNaN();
  });
});

describe('environment listing (ps -E on macOS)', () => {
  const marker = 'ZMART_INCARNATION=0d9c7a7e-2f1b-4c55-9a57-3f0b1b1d2e11';
  const carrying = (uid: number) => [...pidsCarrying(recorded('ps-E.txt'), recorded('ps-commands.txt'), marker, uid)];

  it("finds this user's processes that carry the marker in their environment, as a whole word", () => {
    // 4291 has it in its argv and its environment both
    expect(carrying(501)).toEqual([4250, 4251, 4291]);
  });

  it('not a process that has the word in its argv alone (ps -E cannot tell argv from environment)', () => {
    expect(carrying(501)).not.toContain(4290);
  });

  it("never another user's, even with the marker", () => {
    expect(carrying(501)).not.toContain(4270);
    expect(carrying(0)).toContain(4270);
  });
});
