import { Transform, type TransformCallback } from 'node:stream';
import type { Redactor } from './redact.js';

/** A line longer than this without a newline is written out as a line of its own. */
const MAX_LINE = 1024 * 1024;
const NEWLINE = 0x0a;
const RETURN = 0x0d;

/**
 * Cuts a byte stream into whole lines and writes each as `<ISO time> <tag> <line>\n`.
 * A partial line is held until its newline arrives (or the stream ends), so lines are
 * never split and never interleaved with another stream's.
 *
 * It works on bytes, never decoding: a newline byte never occurs inside a multi-byte UTF-8
 * character, and one pass that copies each byte once keeps up with a service that floods
 * its output with short lines (a string per line would cost ten times more).
 */
export class LineStamper extends Transform {
  private partial: Buffer | null = null;

  constructor(
    private readonly tag: string,
    private readonly redactor: Redactor,
    private readonly now: () => Date = () => new Date(),
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const data = this.partial ? Buffer.concat([this.partial, chunk]) : chunk;
    const lastNewline = data.lastIndexOf(NEWLINE);
    if (lastNewline === -1) {
      this.partial = data;
      if (data.length >= MAX_LINE) this.flushPartial(true);
      return callback();
    }
    // A copy: holding a slice would keep the whole chunk alive.
    this.partial = lastNewline + 1 < data.length ? Buffer.from(data.subarray(lastNewline + 1)) : null;
    callback(null, this.stamp(data, lastNewline + 1));
  }

  override _flush(callback: TransformCallback): void {
    this.flushPartial(false);
    callback();
  }

  /** Writes the held bytes as a line; a long line is cut on a character boundary. */
  private flushPartial(atCharacter: boolean): void {
    const partial = this.partial;
    this.partial = null;
    if (!partial || partial.length === 0) return;
    const end = atCharacter ? wholeCharacters(partial) : partial.length;
    this.push(this.stamp(Buffer.concat([partial.subarray(0, end), Buffer.of(NEWLINE)]), end + 1));
    if (end < partial.length) this.partial = Buffer.from(partial.subarray(end));
  }

  /** `data[0, end)` holds whole lines, the last ending in '\n'; a trailing '\r' is dropped. */
  private stamp(data: Buffer, end: number): Buffer {
    const prefix = Buffer.from(`${this.now().toISOString()} ${this.tag} `);
    const out = room(data, end, prefix.length);
    let j = 0;
    let i = 0;
    while (i < end) {
      out.set(prefix, j);
      j += prefix.length;
      let byte: number;
      do {
        byte = data[i]!;
        out[j] = byte;
        i += 1;
        j += 1;
      } while (byte !== NEWLINE);
      if (out[j - 2] === RETURN) {
        out[j - 2] = NEWLINE;
        j -= 1;
      }
    }
    return this.redactor.bytes(Buffer.from(out.subarray(0, j)));
  }
}

/**
 * Where to build a stamped chunk: one scratch array shared by every stamper (stamping is
 * synchronous), copied out once the chunk is built. Sized for the worst case, one line per
 * byte, which for the usual 64 KB pipe read stays under 2 MB; a bigger chunk counts its lines.
 */
let scratch = new Uint8Array(0);
const SCRATCH_MAX = 2 * 1024 * 1024;

function room(data: Buffer, end: number, prefixLength: number): Uint8Array {
  let bound = end * (prefixLength + 1);
  if (bound > SCRATCH_MAX) {
    let lines = 0;
    for (let at = data.indexOf(NEWLINE); at !== -1 && at < end; at = data.indexOf(NEWLINE, at + 1)) lines += 1;
    bound = end + lines * prefixLength;
  }
  if (bound <= scratch.length) return scratch;
  if (bound > SCRATCH_MAX) return new Uint8Array(bound);
  scratch = new Uint8Array(Math.max(bound, 64 * 1024));
  return scratch;
}

/** How many leading bytes of `data` end on a character boundary (a long line is cut there). */
function wholeCharacters(data: Buffer): number {
  let end = data.length;
  let back = 0;
  while (back < 3 && end - back - 1 >= 0 && (data[end - back - 1]! & 0xc0) === 0x80) back += 1;
  const lead = data[end - back - 1];
  if (lead === undefined || lead < 0xc0) return end; // ASCII or a broken sequence: cut anywhere
  const width = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
  return back + 1 >= width ? end : end - back - 1;
}
