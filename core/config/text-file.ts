import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/**
 * A file's text, read only when it is what a config file should be: a regular file (never a
 * FIFO that blocks the reader or a /dev/zero that never ends: opened without blocking, looked
 * at before it is read), at most `maxBytes`, text without NUL bytes. Else the problem, in words
 * that follow the path.
 */
export function readTextFile(path: string, maxBytes: number): { text: string } | { problem: string } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { problem: code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (error as Error).message})` };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile())
      return {
        problem: `is not a regular file (${stat.isFIFO() ? 'a FIFO' : stat.isCharacterDevice() ? 'a device' : stat.isDirectory() ? 'a folder' : 'a special file'})`,
      };
    if (stat.size > maxBytes) return { problem: `is ${stat.size} bytes, more than the ${maxBytes} allowed` };
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < stat.size) {
      const n = readSync(fd, buffer, read, stat.size - read, read);
      if (n === 0) break;
      read += n;
    }
    if (buffer.subarray(0, read).includes(0)) return { problem: 'holds NUL bytes: a binary file, not text' };
    return { text: buffer.subarray(0, read).toString('utf8') };
  } finally {
    closeSync(fd);
  }
}
