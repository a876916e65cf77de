import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireLock } from '../../../../core/process/lock-file.js';
import { tempDir } from '../../../helpers/project.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);
const alive = new Set<string>();
const isAlive = ({ pid, startTime }: { pid: number; startTime: number }) => alive.has(`${pid}/${startTime}`);

describe('the supervisor lock', () => {
  it('is exclusive while its holder lives, and released only by it', () => {
    const file = join(dir, 'a.lock');
    alive.add('10/1');
    const first = acquireLock(file, { pid: 10, startTime: 1 }, isAlive);
    expect(first.ok).toBe(true);
    expect(acquireLock(file, { pid: 11, startTime: 1 }, isAlive)).toEqual({ ok: false, holder: { pid: 10, startTime: 1 } });
    if (first.ok) first.lock.release();
    expect(existsSync(file)).toBe(false);
  });

  it('clears a stale lock (dead holder, or the pid reused by another process) and takes it', () => {
    const file = join(dir, 'b.lock');
    alive.add('20/5'); // pid 20 lives, but started at 5: not the holder that started at 4
    writeFileSync(file, JSON.stringify({ pid: 20, startTime: 4 }));
    const taken = acquireLock(file, { pid: 21, startTime: 1 }, isAlive);
    expect(taken.ok).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ pid: 21, startTime: 1 });
  });

  it('takes over a lock file that holds garbage', () => {
    const file = join(dir, 'c.lock');
    writeFileSync(file, 'not json');
    expect(acquireLock(file, { pid: 30, startTime: 1 }, isAlive).ok).toBe(true);
  });
});
