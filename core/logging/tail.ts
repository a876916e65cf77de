import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** The last `count` lines of a file, reading only its end (logs can be large). [] if missing. */
export function tailLines(file: string, count: number): string[] {
  if (count <= 0) return [];
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return [];
  }
  try {
    const size = fstatSync(fd).size;
    let start = size;
    let text = '';
    const chunk = 64 * 1024;
    while (start > 0) {
      const length = Math.min(chunk, start);
      start -= length;
      const buffer = Buffer.alloc(length);
      readSync(fd, buffer, 0, length, start);
      text = buffer.toString('utf8') + text;
      if (text.split('\n').length > count + 1) break;
    }
    const lines = text.replace(/\n$/, '').split('\n');
    if (start > 0) lines.shift(); // possibly cut in the middle
    return text === '' ? [] : lines.slice(-count);
  } finally {
    closeSync(fd);
  }
}
