import { closeSync, createWriteStream, fchmodSync, fstatSync, mkdirSync, openSync, writeSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

/** A log's file, open for appending: its descriptor, the stream that writes to it, its size and inode. */
export interface AppendFile {
  fd: number;
  out: WriteStream;
  size: number;
  ino: number;
}

/**
 * Opens `path` for appending, synchronously (a rotation renames the very file this descriptor
 * writes to), owner-only (0600, its folder 0700) even when an older run left it looser.
 * Throws what the file system says.
 */
export function openAppend(path: string): AppendFile {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const fd = openSync(path, 'a', 0o600);
  try {
    fchmodSync(fd, 0o600);
    const { size, ino } = fstatSync(fd);
    return { fd, out: createWriteStream(path, { fd, flags: 'a' }), size, ino };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** Writes all of `chunk` from the loop; throws at a failure (a full disk), having written part of it or none. */
export function writeWhole(fd: number, chunk: Buffer, path: string): void {
  for (let written = 0; written < chunk.length; ) {
    const n = writeSync(fd, chunk, written);
    if (n <= 0) throw new Error(`${path}: a write took nothing`);
    written += n;
  }
}
