import { closeSync, fstatSync, ftruncateSync, openSync, readSync, statSync, statfsSync } from 'node:fs';

/** What a log keeps in memory while its file cannot be written (a full disk, a folder gone). */
const HELD_MAX_BYTES = 1024 * 1024;

const countLines = (chunk: Buffer): number => {
  let lines = 0;
  for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines += 1;
  return lines;
};

/**
 * Whole lines a log could not write yet: up to 1 MB held in order (the chunk whose write
 * failed first), then whole chunks of lines dropped and counted. Once the file takes writes
 * again, `release` gives back one marker line naming what was dropped and the held lines.
 */
export class HeldLines {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private droppedLines = 0;
  private droppedBytes = 0;
  private reason = '';
  /** Lines dropped since the log was opened (for metrics; `release` resets only the marker's count). */
  droppedTotal = 0;

  /** Bytes held. */
  get size(): number {
    return this.bytes;
  }

  get empty(): boolean {
    return this.chunks.length === 0 && this.droppedLines === 0;
  }

  /** Chunks whose write failed, oldest first: they go before anything held since. */
  requeue(chunks: Buffer[], reason: string): void {
    this.reason = reason;
    const keep: Buffer[] = [];
    for (const chunk of chunks) this.take(chunk, keep);
    this.chunks = [...keep, ...this.chunks];
  }

  hold(chunk: Buffer): void {
    this.take(chunk, this.chunks);
  }

  /** The marker (if lines were dropped) and the held chunks, to write now; skips `written` bytes of the first. */
  release(written: number, now: Date): Buffer[] {
    const out: Buffer[] = [];
    if (this.droppedLines > 0) {
      out.push(
        Buffer.from(
          `${now.toISOString()} zmart dropped ${this.droppedLines} lines (${this.droppedBytes} bytes) while the log could not be written: ${this.reason}\n`,
        ),
      );
    }
    const [first, ...rest] = this.chunks;
    if (first && written < first.length) out.push(written > 0 ? first.subarray(written) : first);
    out.push(...rest);
    this.chunks = [];
    this.bytes = 0;
    this.droppedLines = 0;
    this.droppedBytes = 0;
    return out;
  }

  private take(chunk: Buffer, into: Buffer[]): void {
    if (this.bytes + chunk.length <= HELD_MAX_BYTES) {
      into.push(chunk);
      this.bytes += chunk.length;
    } else {
      const lines = countLines(chunk);
      this.droppedLines += lines;
      this.droppedTotal += lines;
      this.droppedBytes += chunk.length;
    }
  }
}

/**
 * Cuts a file back to the end of its last whole line (a write cut short by a full disk leaves
 * part of one); returns the size it keeps. Reads at most the last 64 KB.
 */
export function trimToLastLine(path: string): number {
  const fd = openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    const span = Math.min(size, 64 * 1024);
    if (span === 0) return 0;
    const tail = Buffer.alloc(span);
    readSync(fd, tail, 0, span, size - span);
    if (tail[span - 1] === 10) return size;
    const last = tail.lastIndexOf(10);
    const keep = last === -1 ? size - span : size - span + last + 1;
    ftruncateSync(fd, keep);
    return keep;
  } finally {
    closeSync(fd);
  }
}

/**
 * How much of what was in flight reached the file as whole lines before a failure cut a write:
 * the same file (by inode) is cut back to its last whole line, and what it holds beyond
 * `confirmed` counts. 0 when it is gone, replaced or unreadable (what was held goes whole).
 */
export function wholeLinesPast(path: string, ino: number, confirmed: number): number {
  try {
    return statSync(path).ino === ino ? Math.max(0, trimToLastLine(path) - confirmed) : 0;
  } catch {
    return 0;
  }
}

/** True when the folder's file system has room for `bytes` and a margin (or cannot tell). */
export function roomFor(dir: string, bytes: number): boolean {
  try {
    const fs = statfsSync(dir);
    return fs.bavail * fs.bsize >= bytes + 64 * 1024;
  } catch {
    return true; // gone: opening makes it again, or fails and says why
  }
}
