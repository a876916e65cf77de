import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { LogFile } from '../../../../core/logging/log-file.js';
import { rotatedFiles, rotatedName } from '../../../../core/logging/rotation.js';
import { CONTINUED } from '../../../../core/logging/size-pieces.js';
import { tempDir, waitFor } from '../../../helpers/project.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);
let n = 0;
const fresh = () => join(dir, `log${++n}`, 'app.log');

/** Every line of a log and its rotated files, oldest first (gzip undone). */
function allLines(path: string): string[] {
  const text = [...rotatedFiles(path), path].map((f) => (f.endsWith('.gz') ? gunzipSync(readFileSync(f)).toString() : readFileSync(f, 'utf8'))).join('');
  return text.split('\n').slice(0, -1);
}

describe('LogFile', () => {
  it('rotates by size between whole lines, in order, and keeps every line once', async () => {
    const path = fresh();
    const file = new LogFile(path);
    file.setPolicy({ maxSize: 1000, periodMs: null, keep: 100, compress: false });
    for (let i = 1; i <= 500; i += 1) file.writeLines(`line ${i}\n`);
    await file.close();
    expect(allLines(path)).toEqual(Array.from({ length: 500 }, (_, i) => `line ${i + 1}`));
    const files = rotatedFiles(path);
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) expect(readFileSync(f, 'utf8').length).toBeLessThanOrEqual(1000);
  });

  it('cuts a line longer than maxSize into marked pieces, each file within maxSize, on character boundaries', async () => {
    const path = fresh();
    const errors: string[] = [];
    const file = new LogFile(path, { onError: (_p, error) => errors.push(error.message) });
    file.setPolicy({ maxSize: 1000, periodMs: null, keep: 100, compress: false });
    const long = `${'é'.repeat(1200)}${'x'.repeat(777)}`; // 3177 bytes, 2-byte characters first
    file.writeLines(`before\n${long}\nafter\n`);
    await file.close();
    const files = [...rotatedFiles(path), path];
    for (const f of files) expect(readFileSync(f).length, f).toBeLessThanOrEqual(1000);
    const text = files.map((f) => readFileSync(f, 'utf8')).join('');
    expect(text).not.toContain('\uFFFD'); // no character cut in two
    expect(text.split(CONTINUED.toString()).join('')).toBe(`before\n${long}\nafter\n`);
    expect(text.split(CONTINUED.toString()).length).toBeGreaterThanOrEqual(4);
    expect(errors).toEqual([]);
  });

  it('gzips rotated files and keeps only the newest `keep`', async () => {
    const path = fresh();
    const file = new LogFile(path);
    file.setPolicy({ maxSize: 200, periodMs: null, keep: 2, compress: true });
    for (let i = 1; i <= 100; i += 1) file.writeLines(`entry ${i}\n`);
    await file.close();
    const files = rotatedFiles(path);
    expect(files).toHaveLength(2);
    expect(files.every((f) => f.endsWith('.gz'))).toBe(true);
    const lines = allLines(path);
    expect(lines.at(-1)).toBe('entry 100');
    expect(lines).toEqual(lines.map((_, i) => `entry ${100 - lines.length + 1 + i}`));
  });

  it('names rotations so that they sort by time and never collide, even within one millisecond', () => {
    const path = fresh();
    const at = new Date(Date.UTC(2026, 10, 28, 0, 15, 3, 123));
    const first = rotatedName(path, at);
    expect(first).toBe(`${path}.2026-11-28T00-15-03-123Z.000`);
    // a file with the first name exists: the next one in the same millisecond gets .001
    const file = new LogFile(first);
    file.writeLines('x\n');
    return file.close().then(() => {
      expect(rotatedName(path, at)).toBe(`${path}.2026-11-28T00-15-03-123Z.001`);
      expect([rotatedName(path, new Date(at.getTime() + 1)), first].sort()[0]).toBe(first);
    });
  });

  it('rotates when the period turns, also for a quiet log', async () => {
    const path = fresh();
    const file = new LogFile(path);
    file.setPolicy({ maxSize: null, periodMs: 100, keep: 5, compress: false });
    file.writeLines('before\n');
    const written = Date.now();
    file.rotateIfDue(); // same period: nothing to do
    await waitFor(() => Math.floor(Date.now() / 100) > Math.floor(written / 100), 'the next period', 1000);
    file.rotateIfDue();
    file.writeLines('after\n');
    await file.close();
    expect(rotatedFiles(path).map((f) => readFileSync(f, 'utf8'))).toEqual(['before\n']);
    expect(readFileSync(path, 'utf8')).toBe('after\n');
  });

  it('reports a full disk once and keeps going without throwing', async () => {
    const errors: string[] = [];
    const file = new LogFile('/dev/full', { onError: (_path, error) => errors.push((error as NodeJS.ErrnoException).code ?? error.message) });
    for (let i = 0; i < 20; i += 1) file.writeLines(`line ${i}\n`);
    await new Promise((r) => setTimeout(r, 100));
    expect(errors).toEqual(['ENOSPC']);
    await file.close();
  });

  it("writes a turn's lines together at its end, from the loop when small, and keeps lines in order when larger writes are in flight", async () => {
    const path = fresh();
    const file = new LogFile(path);
    file.writeLines('first\n');
    file.writeLines('second\n');
    expect(readFileSync(path, 'utf8')).toBe(''); // not yet: at the end of the turn
    await new Promise((resolve) => setImmediate(resolve));
    expect(readFileSync(path, 'utf8')).toBe('first\nsecond\n'); // then, with no round trip through the thread pool
    const expected = ['first', 'second'];
    for (let i = 0; i < 200; i += 1) {
      const line = i % 3 === 0 ? `${i} ${'x'.repeat(40_000)}` : `${i} small`;
      file.writeLines(`${line}\n`);
      expected.push(line);
    }
    await file.close();
    expect(allLines(path)).toEqual(expected);
    expect(file.writtenTotal).toBe(Buffer.byteLength(`${expected.join('\n')}\n`));
  });

  it('holds every line again when the file fails anew while it writes out what it held', async () => {
    const errors: string[] = [];
    const file = new LogFile('/dev/full', { onError: (_path, error) => errors.push((error as NodeJS.ErrnoException).code ?? '') }); // opens; every write fails
    const lines = ['one\n', 'two\n', 'three\n'];
    for (const line of lines) {
      file.writeLines(line); // each in a turn of its own: three chunks held
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(() => file.heldBytes === 14, 'the three lines held');
    // a second later the file is tried again: it opens, the first write fails, and the rest
    // must not go to the stream that just failed (they were lost there, neither written nor counted)
    await waitFor(() => errors.length === 2, 'the try a second later failing too', 5000);
    expect(errors).toEqual(['ENOSPC', 'ENOSPC']);
    expect(file.heldBytes).toBe(14);
    expect(file.droppedTotal).toBe(0);
    await file.close();
  });

  it('creates files owner-only', async () => {
    const path = fresh();
    const file = new LogFile(path);
    file.writeLines('x\n');
    await file.close();
    const { statSync } = await import('node:fs');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(path, '..'))).toEqual(['app.log']);
  });
});
