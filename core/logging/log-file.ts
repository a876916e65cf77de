import { fstatSync, renameSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import type { RotationPolicy } from '../di/contracts.js';
import { openAppend, writeWhole } from './append-file.js';
import { HeldLines, roomFor, wholeLinesPast } from './held-lines.js';
import { RotationChain, type RotationEvents, rotatedName } from './rotation.js';
import { sizePieces } from './size-pieces.js';

export interface LogFileEvents extends RotationEvents {
  /** Writes work again after a problem (what was held is written, with a marker for what was dropped). */
  onRecovered?: (path: string) => void;
}

/** How soon a file that could not be written is tried again. */
const RETRY_MS = 1000;
/**
 * A chunk up to this size with nothing else on its way is written from the loop: a thread-pool
 * round trip costs more than the write (a stop of 3,000 writes a line into each service's log).
 */
const DIRECT_MAX = 16 * 1024;

/**
 * An append-only log file, owner-only (0600, its folder 0700), and a Writable: writers hand
 * it whole lines, and it rotates between two writes, never inside one. A rotation renames
 * the file (the only moment a writer waits) and opens a new one; what was queued for the old
 * file still lands in it, so no line is lost, doubled or split.
 */
export class LogFile extends Writable {
  private out: WriteStream | null = null;
  private size = 0;
  private period = 0;
  private policy: RotationPolicy | null = null;
  private failedAt = 0;
  private readonly rotations = new RotationChain();
  /** Lines waiting while the file cannot be written (bounded; beyond, dropped and counted). */
  private readonly held = new HeldLines();
  /** Chunks handed to the current stream and not yet confirmed written, in order. */
  private inflight: Buffer[] = [];
  /** Bytes of the current file known to be written, and the file's inode: where a cut write began. */
  private confirmed = 0;
  private ino = 0;
  private fd = -1;
  private retry: NodeJS.Timeout | null = null;
  /** The lines written in this turn of the event loop go to the file together, at its end. */
  private batching = false;

  constructor(
    readonly path: string,
    private readonly events: LogFileEvents = {},
  ) {
    super({ highWaterMark: 256 * 1024 });
    this.open();
  }

  setPolicy(policy: RotationPolicy | null): void {
    this.policy = policy;
    this.period = this.periodOf(Date.now());
  }

  /** Appends whole lines (each ending in '\n'); never throws. */
  writeLines(text: string): void {
    if (this.writableEnded || this.destroyed) return;
    // (a stop of 3,000 logs a line for each in a few turns: a few writes, not thousands)
    if (!this.batching) {
      this.batching = true;
      this.cork();
      setImmediate(() => {
        this.batching = false;
        this.uncork();
      });
    }
    this.write(text);
  }

  /** Bytes written to this log (across rotations) since it was opened. */
  writtenTotal = 0;

  /** Bytes of whole lines waiting for the file to take writes again. */
  get heldBytes(): number {
    return this.held.size;
  }

  /** Lines dropped since it was opened because the file could not take them. */
  get droppedTotal(): number {
    return this.held.droppedTotal;
  }

  /** Rotates now when the policy's period has turned (for logs that are quiet). */
  rotateIfDue(now = Date.now()): void {
    if (this.policy?.periodMs && this.size > 0 && this.periodOf(now) !== this.period) this.rotate(now);
  }

  /** Resolves once rotations under way have been compressed and pruned. */
  settled(): Promise<void> {
    return this.rotations.settled();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this._writev([{ chunk }], callback);
  }

  /**
   * What queued up while a write was out goes in one write per file (a rotation may part it); a
   * chunk the file cannot take now is held (or dropped and counted), reported once.
   */
  override _writev(given: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    const entries = given.flatMap(({ chunk }) => sizePieces(chunk, this.policy?.maxSize ?? null).map((piece) => ({ chunk: piece })));
    const now = Date.now();
    const last = entries.length - 1;
    let corked: WriteStream | null = null;
    let called = false;
    for (let k = 0; k <= last; k += 1) {
      const { chunk } = entries[k]!;
      const out = this.target(chunk.length, now); // a rotation ends (and so flushes) the corked stream
      if (out !== corked) {
        corked?.uncork();
        corked = out;
        corked?.cork();
      }
      if (!out) {
        this.held.hold(chunk);
        continue;
      }
      if (k < last) this.send(out, chunk);
      else {
        called = true;
        this.send(out, chunk, () => callback());
      }
    }
    corked?.uncork();
    if (!called) callback();
  }

  /** The stream a chunk of `bytes` goes to, rotating first when the policy says; null: dropped. */
  private target(bytes: number, now: number): WriteStream | null {
    const policy = this.policy;
    if (policy && this.size > 0) {
      if ((policy.maxSize !== null && this.size + bytes > policy.maxSize) || (policy.periodMs !== null && this.periodOf(now) !== this.period)) {
        this.rotate(now);
      }
    }
    const out = this.out ?? this.reopen(now);
    if (out) this.size += bytes;
    return out;
  }

  /** Notices that the file was deleted under it (its folder removed), makes both again and goes on there: true when it did. */
  verify(): boolean {
    const out = this.out;
    if (!out) return false;
    try {
      if (fstatSync(this.fd).nlink > 0) return false;
    } catch {
      return false;
    }
    this.fail(out, new Error(`${this.path} was deleted (its folder removed?): made again`), false);
    out.end();
    this.failedAt = 0;
    this.reopen(Date.now());
    return true;
  }

  /** Writes a chunk to the current stream, tracking it until the file has it. */
  private send(out: WriteStream, chunk: Buffer, done?: () => void): void {
    if (out !== this.out) {
      // it failed a moment ago (a direct write of what was held, say): held with the rest, in order
      this.held.hold(chunk);
      done?.();
      return;
    }
    this.inflight.push(chunk);
    if (this.inflight.length === 1 && out.writableLength === 0 && chunk.length <= DIRECT_MAX) {
      // from the loop; a failure is the stream's (held, tried again, cut back to whole lines)
      try {
        writeWhole(this.fd, chunk, this.path);
        this.landed(out, chunk);
      } catch (error) {
        this.fail(out, error as Error);
        out.destroy(); // nothing of its own in flight: it closes the file
      }
      done?.();
      return;
    }
    out.write(chunk, (error) => {
      if (!error) this.landed(out, chunk);
      done?.();
    });
  }

  /** The file has `chunk`: counted, and no longer in flight on the current stream. */
  private landed(out: WriteStream, chunk: Buffer): void {
    this.writtenTotal += chunk.length;
    if (out !== this.out) return;
    this.inflight.shift();
    this.confirmed += chunk.length;
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.out) this.out.end(() => callback());
    else callback();
  }

  close(): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.writableFinished || this.destroyed) return resolve();
      this.end(() => resolve());
    }).then(() => this.settled());
  }

  private open(): WriteStream | null {
    try {
      const { fd, out, size, ino } = openAppend(this.path);
      out.on('error', (error) => this.fail(out, error));
      this.out = out;
      this.inflight = [];
      this.size = size;
      this.confirmed = size;
      this.ino = ino;
      this.fd = fd;
      this.period = this.periodOf(Date.now());
      return out;
    } catch (error) {
      this.fail(null, error as Error);
      return null;
    }
  }

  /**
   * Tries the file again, at most once a second after a failure: a write cut short is cut back to
   * its last whole line, then one marker line for what was dropped, then what was held. Never a partial line.
   */
  private reopen(now: number): WriteStream | null {
    if (now - this.failedAt < RETRY_MS) return null;
    const failed = this.failedAt !== 0;
    if (failed && !this.held.empty && !roomFor(dirname(this.path), Math.min(this.held.size, 64 * 1024))) {
      this.failedAt = now; // still full: try again in a second
      return null;
    }
    const written = failed ? wholeLinesPast(this.path, this.ino, this.confirmed) : 0;
    const out = this.open();
    if (!out) return null;
    for (const chunk of this.held.empty ? [] : this.held.release(written, new Date(now))) {
      this.size += chunk.length;
      this.send(out, chunk);
    }
    if (this.out !== out) return null; // a write of what was held failed: held again, tried again later
    if (failed) this.events.onRecovered?.(this.path); // said even when nothing was held
    this.failedAt = 0;
    return out;
  }

  private fail(out: WriteStream | null, error: Error, report = true): void {
    if (out && out !== this.out) return; // an old, rotated stream: its file is gone or done
    const first = this.out !== null || this.failedAt === 0;
    this.held.requeue(this.inflight, (error as NodeJS.ErrnoException).code ?? error.message);
    this.inflight = [];
    this.out = null;
    this.failedAt = Date.now();
    if (first && report) this.events.onError?.(this.path, error);
    this.retryLater();
  }

  /** Held lines are written as soon as the file takes them again, even if nothing more comes. */
  private retryLater(): void {
    if (this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      if (this.out || this.writableEnded || this.destroyed) return;
      if (!this.reopen(Date.now()) && !this.held.empty) this.retryLater();
    }, RETRY_MS);
    this.retry.unref();
  }

  private rotate(now: number): void {
    const old = this.out;
    const policy = this.policy!;
    const target = rotatedName(this.path, new Date(now));
    try {
      renameSync(this.path, target);
    } catch (error) {
      this.fail(old, error as Error);
      return;
    }
    this.out = null;
    this.inflight = []; // the old stream finishes its writes into the rotated file
    this.open();
    this.size = 0;
    const written = new Promise<void>((resolve) => (old ? old.end(() => resolve()) : resolve()));
    this.rotations.add(this.path, target, policy, written, this.events);
  }

  private periodOf(now: number): number {
    return this.policy?.periodMs ? Math.floor(now / this.policy.periodMs) : 0;
  }
}
