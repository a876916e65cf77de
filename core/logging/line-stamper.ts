import { Transform, type TransformCallback } from 'node:stream';
import type { Redactor } from './redact.js';

/** A line longer than this without a newline is written out as a line of its own. */
const MAX_LINE = 1024 * 1024;
const NEWLINE = 0x0a;
/**
 * Lines are copied a byte at a time (short lines: a native call per line costs more than the
 * loop) unless the first SAMPLE_LINES of a chunk average LONG_LINE bytes or more.
 */
const SAMPLE_LINES = 8;
const LONG_LINE = 64;
const RETURN = 0x0d;

/**
 * Cuts a byte stream into whole lines and writes each as `<ISO time> <tag> <line>\n`, or
 * as it came when the tag is null (a service that stamps its own lines; then a run of whole
 * lines passes through without a copy). A partial line is held until its newline arrives
 * (or the stream ends), so lines are never split and never interleaved with another stream's.
 *
 * It works on bytes, never decoding: a newline byte never occurs inside a multi-byte UTF-8
 * character, and one pass that copies each byte once keeps up with a service that floods
 * its output with short lines (a string per line would cost ten times more).
 */
export class LineStamper extends Transform {
  private partial: Buffer | null = null;

  constructor(
    private readonly tag: string | null,
    private readonly redactor: Redactor,
    private readonly now: () => Date = () => new Date(),
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const held = this.partial;
    const lastNewline = chunk.lastIndexOf(NEWLINE);
    if (lastNewline === -1) {
      this.partial = held ? Buffer.concat([held, chunk]) : chunk;
      if (this.partial.length >= MAX_LINE) this.flushPartial(true);
      return callback();
    }
    // A copy: holding a slice would keep the whole chunk alive.
    this.partial = lastNewline + 1 < chunk.length ? Buffer.from(chunk.subarray(lastNewline + 1)) : null;
    callback(null, this.stamp(chunk, lastNewline + 1, held));
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
    this.push(this.stamp(LINE_END, 1, partial.subarray(0, end)));
    if (end < partial.length) this.partial = Buffer.from(partial.subarray(end));
  }

  /**
   * `data[0, end)` holds whole lines, the last ending in '\n', the first continuing `held`
   * (the start of a line an earlier chunk left open); a line's trailing '\r' is dropped.
   */
  private stamp(data: Buffer, end: number, held: Buffer | null): Buffer {
    if (this.tag === null) {
      const lines = end === data.length ? data : data.subarray(0, end);
      return this.redactor.bytes(held ? Buffer.concat([held, lines]) : lines);
    }
    const prefix = Buffer.from(`${this.now().toISOString()} ${this.tag} `);
    const heldLength = held ? held.length : 0;
    const out = room(data, end, heldLength, prefix.length);
    let j = putPrefix(out, 0, prefix);
    if (held) {
      out.set(held, j);
      j += heldLength;
    }
    // The first lines a byte at a time; the rest the same way when those were short, else
    // each found natively and copied in one call.
    const { i, j: k } = copyShortLines(data, 0, end, out, j, prefix, SAMPLE_LINES);
    j = i >= SAMPLE_LINES * LONG_LINE ? copyLongLines(data, i, end, out, k, prefix) : copyShortLines(data, i, end, out, k, prefix, Infinity).j;
    // Copied out of the shared scratch, without zero-filling first.
    const stamped = Buffer.allocUnsafeSlow(j);
    out.copy(stamped, 0, 0, j);
    return this.redactor.bytes(stamped);
  }
}

const LINE_END = Buffer.of(NEWLINE);

function putPrefix(out: Buffer, j: number, prefix: Buffer): number {
  out.set(prefix, j);
  return j + prefix.length;
}

/** Where copying stopped: in the input (`i`) and in the output (`j`). Reused: no allocation. */
const at = { i: 0, j: 0 };

/**
 * Copies up to `limit` lines a byte at a time, each (but the first, already prefixed) after
 * the prefix; a line's trailing '\r' is dropped.
 */
function copyShortLines(data: Buffer, i: number, end: number, out: Buffer, j: number, prefix: Buffer, limit: number): typeof at {
  for (let line = 0; i < end && line < limit; line += 1) {
    if (line > 0 || i > 0) j = putPrefix(out, j, prefix);
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
  at.i = i;
  at.j = j;
  return at;
}

function copyLongLines(data: Buffer, i: number, end: number, out: Buffer, j: number, prefix: Buffer): number {
  while (i < end) {
    out.set(prefix, j);
    j += prefix.length;
    const newline = data.indexOf(NEWLINE, i);
    data.copy(out, j, i, newline + 1);
    j += newline + 1 - i;
    i = newline + 1;
    if (out[j - 2] === RETURN) {
      out[j - 2] = NEWLINE;
      j -= 1;
    }
  }
  return j;
}

/**
 * Where to build a stamped chunk: one scratch array shared by every stamper (stamping is
 * synchronous), copied out once the chunk is built. Sized for the worst case, one line per
 * byte, which for the usual 64 KB pipe read stays under 2 MB; a bigger chunk counts its lines.
 */
let scratch = Buffer.alloc(0);
const SCRATCH_MAX = 2 * 1024 * 1024;

function room(data: Buffer, end: number, heldLength: number, prefixLength: number): Buffer {
  let bound = heldLength + end * (prefixLength + 1);
  if (bound > SCRATCH_MAX) {
    let lines = 0;
    for (let at = data.indexOf(NEWLINE); at !== -1 && at < end; at = data.indexOf(NEWLINE, at + 1)) lines += 1;
    bound = heldLength + end + lines * prefixLength;
  }
  if (bound <= scratch.length) return scratch;
  if (bound > SCRATCH_MAX) return Buffer.allocUnsafeSlow(bound);
  scratch = Buffer.allocUnsafeSlow(Math.max(bound, 64 * 1024));
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
