import { chmodSync, createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

/**
 * An append-only log file, created owner-only (0600) with its folder (0700). Writers hand
 * it whole lines only, so nothing written through it is ever split.
 */
export class LogFile {
  readonly stream: WriteStream;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
    this.stream.on('error', () => {
      // A full disk or a removed folder must not crash the supervisor; the stream stays errored.
    });
    this.stream.once('open', () => {
      try {
        chmodSync(path, 0o600); // a file created by an older run with a looser mode
      } catch {
        /* best effort */
      }
    });
  }

  /** Appends whole lines (each ending in '\n'). */
  writeLines(text: string): void {
    if (!this.stream.destroyed) this.stream.write(text);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.stream.destroyed || this.stream.closed) return resolve();
      this.stream.end(() => resolve());
    });
  }
}
