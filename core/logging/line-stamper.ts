import { StringDecoder } from 'node:string_decoder';
import { Transform, type TransformCallback } from 'node:stream';
import type { Redactor } from './redact.js';

/** A line longer than this without a newline is written out as a line of its own. */
const MAX_LINE = 1024 * 1024;

/**
 * Cuts a byte stream into whole lines and writes each as `<ISO time> <tag> <line>\n`.
 * A partial line is held until its newline arrives (or the stream ends), so lines are
 * never split and never interleaved with another stream's.
 */
export class LineStamper extends Transform {
  private partial = '';
  private readonly decoder = new StringDecoder('utf8');

  constructor(
    private readonly tag: string,
    private readonly redact: Redactor,
    private readonly now: () => Date = () => new Date(),
  ) {
    super({ decodeStrings: true });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const text = this.partial + this.decoder.write(chunk);
    const lastNewline = text.lastIndexOf('\n');
    if (lastNewline === -1) {
      this.partial = text;
      if (this.partial.length >= MAX_LINE) this.flushPartial();
      return callback();
    }
    this.partial = text.slice(lastNewline + 1);
    callback(null, this.stamp(text.slice(0, lastNewline).split('\n')));
  }

  override _flush(callback: TransformCallback): void {
    this.partial += this.decoder.end();
    this.flushPartial();
    callback();
  }

  private flushPartial(): void {
    if (this.partial.length > 0) this.push(this.stamp([this.partial]));
    this.partial = '';
  }

  private stamp(lines: string[]): string {
    const prefix = `${this.now().toISOString()} ${this.tag} `;
    let out = '';
    for (const line of lines) out += prefix + (line.endsWith('\r') ? line.slice(0, -1) : line) + '\n';
    return this.redact(out);
  }
}
