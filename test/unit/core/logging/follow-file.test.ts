import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { followFile } from '../../../../core/logging/follow-file.js';
import { rotatedName } from '../../../../core/logging/rotation.js';

let dir: string;
let log: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zmart-follow-'));
  log = join(dir, 'api.log');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const lines = (from: number, to: number, text = (n: number) => `2026-12-06T05:00:00.000Z out n ${String(n).padStart(7, '0')}`) =>
  Array.from({ length: to - from + 1 }, (_, i) => `${text(from + i)}\n`).join('');

/** As log-rotate does: the live file renamed with `at` in its name, then (maybe) compressed and the plain file removed. */
function rotate(at: number, compress: boolean): void {
  const target = rotatedName(log, new Date(at));
  renameSync(log, target);
  if (!compress) return;
  writeFileSync(`${target}.gz`, gzipSync(readFileSync(target)));
  unlinkSync(target);
}

function follow(): { look: () => void; seen: string[] } {
  const seen: string[] = [];
  return { look: followFile(log, (line) => seen.push(line)), seen };
}

const numbers = (seen: string[]) => seen.map((line) => Number(/ n (\d+)$/.exec(line)?.[1]));
const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('following a log through rotations', () => {
  it('prints each line once, in order, when files were compressed before a look and named for a time before they were opened', async () => {
    // A rotation's name carries the time its batch of writes began, which may precede the
    // moment the follower opened the file: here a second before, for every file.
    const before = Date.now() - 1000;
    writeFileSync(log, '');
    const { look, seen } = follow();
    appendFileSync(log, lines(1, 30));
    look();
    rotate(before, true); // held, compressed before the follower saw its name
    writeFileSync(log, lines(31, 60));
    rotate(before + 1, true); // never held
    writeFileSync(log, lines(61, 90));
    look(); // opens the file of 61-90
    look();
    rotate(before + 2, true); // held, compressed before a look
    writeFileSync(log, lines(91, 120));
    look();
    look();
    look();
    expect(numbers(seen)).toEqual(oneToN(120));
  });

  it('places the live file by its path, the others by their times, when rotated files start alike: each line once', () => {
    // Named for a time after the follower opened them all (a clock's tie at a millisecond, made
    // wide): the times cannot tell the live file from the rotated ones, the path can.
    writeFileSync(log, '');
    const { look, seen } = follow();
    const same = () => 'the same line, again and again, as a service in a loop prints it without timestamps';
    appendFileSync(log, `${same()}\n`.repeat(5) + lines(1, 5));
    look();
    rotate(Date.now() + 1000, true);
    writeFileSync(log, `${same()}\n`.repeat(5) + lines(6, 10));
    rotate(Date.now() + 1001, true);
    writeFileSync(log, `${same()}\n`.repeat(5) + lines(11, 15));
    look();
    look();
    look();
    expect(numbers(seen.filter((line) => line !== same()))).toEqual(oneToN(15));
    expect(seen.filter((line) => line === same())).toHaveLength(15);
  });

  it('reads a file truncated in place from its start', () => {
    writeFileSync(log, lines(1, 3));
    const { look, seen } = follow();
    writeFileSync(log, lines(4, 5));
    look();
    expect(numbers(seen)).toEqual([4, 5]);
  });
});
