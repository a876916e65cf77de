import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { ImportError } from './imported.js';

/** Larger than any real PM2, supervisord, Procfile or Compose file. */
const MAX_BYTES = 4 * 1024 * 1024;

/**
 * A source file's text, read safely: a regular file only (never a FIFO that blocks or a
 * /dev/zero that never ends), at most 4 MB, UTF-8 without NUL bytes. Anything else is one line.
 */
export function readSource(file: string): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer would wait for one
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new ImportError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new ImportError(`${file}: not a regular file`);
    if (stat.size > MAX_BYTES) throw new ImportError(`${file}: ${stat.size} bytes, more than any config this imports (${MAX_BYTES})`);
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < stat.size) {
      const n = readSync(fd, buffer, read, stat.size - read, read);
      if (n === 0) break;
      read += n;
    }
    const text = buffer.subarray(0, read).toString('utf8');
    if (text.includes('\0')) throw new ImportError(`${file}: holds NUL bytes: a binary file, not a config`);
    return text;
  } finally {
    closeSync(fd);
  }
}
