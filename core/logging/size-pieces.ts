import { wholeCharacters } from './line-stamper.js';
import { NEWLINE } from './stamp-kernel.js';

/** Ends each piece of a line cut to fit `maxSize`: the line goes on in the next piece (the next file). */
export const CONTINUED = Buffer.from(' [zmart: line longer than the log maxSize, continued on the next line]\n');

/**
 * A chunk of whole lines in pieces of at most `maxSize` bytes, each ending on a line: a rotation
 * by size then never leaves a file larger than `maxSize`. A line longer than `maxSize` is cut
 * (on a character boundary) into pieces that end with CONTINUED, never written over the limit
 * nor dropped, nor raised as an alert.
 */
export function sizePieces(chunk: Buffer, maxSize: number | null): Buffer[] {
  if (maxSize === null || chunk.length <= maxSize) return [chunk];
  const room = Math.max(64, maxSize - CONTINUED.length);
  const pieces: Buffer[] = [];
  let start = 0;
  while (chunk.length - start > maxSize) {
    const lastLine = chunk.lastIndexOf(NEWLINE, start + maxSize - 1);
    if (lastLine >= start) {
      pieces.push(chunk.subarray(start, lastLine + 1));
      start = lastLine + 1;
      continue;
    }
    // one line longer than maxSize: a piece of it, marked
    const cut = wholeCharacters(chunk.subarray(start, start + room)) || room;
    pieces.push(Buffer.concat([chunk.subarray(start, start + cut), CONTINUED]));
    start += cut;
  }
  if (start < chunk.length) pieces.push(chunk.subarray(start));
  return pieces;
}
