import { Transform, type TransformCallback } from 'node:stream';
import type { Redactor } from './redact.js';

/** A line longer than this without a newline is written out as a line of its own. */
const MAX_LINE = 1024 * 1024;
const NEWLINE = 0x0a;
/**
 * Short lines are copied in JS, four bytes at a time (a native call per line costs more),
 * unless the first SAMPLE_LINES of a chunk average LONG_LINE bytes or more: then each line
 * is found and copied natively (measured on 64 KB chunks: the word loop is 2x a byte loop
 * for 10-byte lines, and native copies overtake it at about 250-byte lines).
 */
const SAMPLE_LINES = 8;
const LONG_LINE = 256;
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
    const prefix = new Prefix(`${this.now().toISOString()} ${this.tag} `);
    const heldLength = held ? held.length : 0;
    const out = room(data, end, heldLength, prefix.bytes.length);
    let j = prefix.put(out, 0);
    if (held) {
      out.set(held, j);
      j += heldLength;
    }
    // The first lines in JS; the rest the same way when those were short, else each found
    // natively and copied in one call.
    const { i, j: k } = copyShortLines(data, 0, end, out, j, prefix, SAMPLE_LINES);
    j = i >= SAMPLE_LINES * LONG_LINE ? copyLongLines(data, i, end, out, k, prefix) : copyShortLines(data, i, end, out, k, prefix, Infinity).j;
    // Copied out of the shared scratch, without zero-filling first.
    const stamped = Buffer.allocUnsafeSlow(j);
    out.copy(stamped, 0, 0, j);
    return this.redactor.bytes(stamped);
  }
}

const LINE_END = Buffer.of(NEWLINE);

/** The stamp of one chunk's lines, kept as bytes and as whole words to copy faster. */
class Prefix {
  readonly bytes: Buffer;
  private readonly words: Uint32Array;

  constructor(text: string) {
    this.bytes = Buffer.from(text);
    const view = viewOf(this.bytes);
    this.words = Uint32Array.from({ length: this.bytes.length >> 2 }, (_, k) => view.getUint32(k * 4));
  }

  /** Writes the stamp at `out[j]`; returns where it ends. */
  put(out: Buffer, j: number, view = viewOf(out)): number {
    const words = this.words;
    for (let k = 0; k < words.length; k += 1) view.setUint32(j + k * 4, words[k]!);
    for (let k = words.length * 4; k < this.bytes.length; k += 1) out[j + k] = this.bytes[k]!;
    return j + this.bytes.length;
  }
}

const viewOf = (data: Buffer): DataView => new DataView(data.buffer, data.byteOffset, data.length);

/**
 * Whether one of a word's four bytes is '\n': XOR turns that byte into zero, which the
 * classic test finds (subtracting 1 from each byte borrows into the top bit only from a
 * zero byte; `& ~x` drops the bytes whose top bit was already set).
 */
function hasNewline(word: number): boolean {
  const x = word ^ 0x0a0a0a0a;
  return ((x - 0x01010101) & ~x & 0x80808080) !== 0;
}

/** Where copying stopped: in the input (`i`) and in the output (`j`). Reused: no allocation. */
const at = { i: 0, j: 0 };

/**
 * Copies up to `limit` lines, each (but the first, already prefixed) after the prefix: four
 * bytes at a time while none is a newline, then a byte at a time up to it. A line's trailing
 * '\r' is dropped.
 */
function copyShortLines(data: Buffer, i: number, end: number, out: Buffer, j: number, prefix: Prefix, limit: number): typeof at {
  const from = viewOf(data);
  const to = viewOf(out);
  for (let line = 0; i < end && line < limit; line += 1) {
    if (line > 0 || i > 0) j = prefix.put(out, j, to);
    while (i + 4 <= end) {
      const word = from.getUint32(i);
      if (hasNewline(word)) break;
      to.setUint32(j, word);
      i += 4;
      j += 4;
    }
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

function copyLongLines(data: Buffer, i: number, end: number, out: Buffer, j: number, prefix: Prefix): number {
  const to = viewOf(out);
  while (i < end) {
    j = prefix.put(out, j, to);
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
