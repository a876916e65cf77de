import type { Redactor } from './redact.js';
import { LINE_END, NEWLINE, stampLines, type StampLines } from './stamp-kernel.js';

/** A line longer than this without a newline is written out as a line of its own. */
const MAX_LINE = 1024 * 1024;

/**
 * Cuts a byte stream into whole lines and hands on each run of them as `<ISO time> <tag> <line>\n`,
 * or as they came when the tag is null (a service that stamps its own lines; then a run of whole
 * lines passes through without a copy). A partial line is held until its newline arrives
 * (or the stream ends), so lines are never split and never interleaved with another stream's.
 *
 * It works on bytes, never decoding: a newline byte never occurs inside a multi-byte UTF-8
 * character, and a loop that copies 16 bytes at a time (stamp-kernel.ts) keeps up with a
 * service that floods its output with short lines (a string per line would cost many
 * times more).
 *
 * A plain object, not a stream: each service's stdout and stderr have one for as long as it
 * runs, and a Transform piped between the pipe and the file cost ~7 KB of heap per stream at
 * rest (1.5 MB at 100 idle services) and a turn through Node's stream machinery for every
 * chunk and at every exit.
 */
export class LineStamper {
  private partial: Buffer | null = null;

  constructor(
    private readonly tag: string | null,
    private readonly redactor: Redactor,
    /** Given each run of whole lines, in order. */
    private readonly emit: (lines: Buffer) => void,
    private readonly now: () => Date = () => new Date(),
    private readonly stampWith: StampLines = stampLines,
  ) {}

  /** Takes the next chunk of the stream. */
  write(chunk: Buffer): void {
    const held = this.partial;
    const lastNewline = chunk.lastIndexOf(NEWLINE);
    if (lastNewline === -1) {
      this.partial = held ? Buffer.concat([held, chunk]) : chunk;
      if (this.partial.length >= MAX_LINE) this.flushPartial(true);
      return;
    }
    // A copy: holding a slice would keep the whole chunk alive.
    this.partial = lastNewline + 1 < chunk.length ? Buffer.from(chunk.subarray(lastNewline + 1)) : null;
    this.emit(this.stamp(chunk, lastNewline + 1, held));
  }

  /** The stream ended: a last line without its newline is handed on as a line. */
  end(): void {
    this.flushPartial(false);
  }

  /** Writes the held bytes as a line; a long line is cut on a character boundary. */
  private flushPartial(atCharacter: boolean): void {
    const partial = this.partial;
    this.partial = null;
    if (!partial || partial.length === 0) return;
    const end = atCharacter ? wholeCharacters(partial) : partial.length;
    this.emit(this.stamp(LINE_END, 1, partial.subarray(0, end)));
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
    return this.redactor.bytes(this.stampWith(prefix, held, data, end));
  }
}

/** How many leading bytes of `data` end on a character boundary (a long line is cut there). */
export function wholeCharacters(data: Buffer): number {
  const end = data.length;
  let back = 0;
  while (back < 3 && end - back - 1 >= 0 && (data[end - back - 1]! & 0xc0) === 0x80) back += 1;
  const lead = data[end - back - 1];
  if (lead === undefined || lead < 0xc0) return end; // ASCII or a broken sequence: cut anywhere
  const width = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
  return back + 1 >= width ? end : end - back - 1;
}
