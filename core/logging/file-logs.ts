import { statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { createConsola, type ConsolaInstance, type LogObject } from 'consola/core';
import { join } from 'node:path';
import { formatWithOptions } from 'node:util';
import type { LogEvent, Logger, Logs, RotationPolicy, ServiceLine, ServiceOutput } from '../di/contracts.js';
import { LineStamper } from './line-stamper.js';
import { LogFile } from './log-file.js';
import type { Redactor } from './redact.js';
import { tailLines } from './tail.js';

/** The file names in `logDir`; the seed's names, so operators' `tail -f` habits still work. */
export const LOG_FILES = {
  supervisor: 'zmart.log',
  startup: 'server_startup.log',
  shutdown: 'server_shutdown.log',
  monitor: 'server_monitor.log',
} as const;

export const serviceLogFile = (service: string): string => `${service}.log`;

const LEVEL_NAMES: Record<number, string> = { 0: 'ERROR', 1: 'WARN', 2: 'INFO', 3: 'INFO', 4: 'DEBUG', 5: 'DEBUG' };

/**
 * How much of a stream's output may wait for its file before the stream is paused (the output
 * of a flood waits in the service's pipe beyond it). Twice the file's mark: stamping the next
 * chunk overlaps the write of the one before (10-byte lines quadruple in size when stamped).
 */
const PAUSE_BYTES = 512 * 1024;

/** How long closing the logs waits for the services' pipes to be read to their end. */
const DRAIN_MS = 2000;

export interface FileLogsOptions {
  logDir: string;
  debug: boolean;
  redact: Redactor;
  /** Told the bytes of every chunk of service output written (frees a flood's buffers as it goes). */
  sweep?: { passed(bytes: number): void };
}

/**
 * Every log zmart writes: the supervisor's own (`zmart.log`, which gets every line), the
 * startup, shutdown and monitor channels, and one output log per service.
 */
export class FileLogs implements Logs {
  readonly supervisor: Logger;
  readonly startup: Logger;
  readonly shutdown: Logger;
  readonly monitor: Logger;
  private readonly files = new Map<string, LogFile>();
  private readonly outputs = new Map<string, ServiceOutput>();
  private readonly listeners: Array<(event: LogEvent) => void> = [];
  /** The services' output pipes still being read. */
  private readonly draining = new Set<Promise<void>>();
  private policy: RotationPolicy | null = null;
  /** Who follows each service's lines (`follow`): looked at once per chunk written. */
  private readonly followers = new Map<string, Set<(line: ServiceLine) => void>>();

  constructor(private readonly options: FileLogsOptions) {
    const all = this.file(LOG_FILES.supervisor);
    this.supervisor = this.channel([all]);
    this.startup = this.channel([this.file(LOG_FILES.startup), all]);
    this.shutdown = this.channel([this.file(LOG_FILES.shutdown), all]);
    this.monitor = this.channel([this.file(LOG_FILES.monitor), all]);
  }

  forPlugin(name: string): Logger {
    return this.channel([this.file(LOG_FILES.monitor), this.file(LOG_FILES.supervisor)], name);
  }

  serviceOutput(service: string): ServiceOutput {
    let output = this.outputs.get(service);
    if (!output) {
      output = new FileServiceOutput(this.file(serviceLogFile(service)), this.options.redact, this.draining, (stream, chunk, stamped) => {
        this.options.sweep?.passed(chunk.length);
        const listeners = this.followers.get(service);
        if (!listeners || listeners.size === 0) return;
        for (const text of linesOf(chunk, stamped)) for (const listener of listeners) listener({ service, stream, text });
      });
      this.outputs.set(service, output);
    }
    return output;
  }

  setRotation(policy: RotationPolicy | null): void {
    this.policy = policy;
    for (const file of this.files.values()) file.setPolicy(policy);
  }

  rotateIfDue(): void {
    for (const file of this.files.values()) file.rotateIfDue();
  }

  counters(): { bytesWritten: number; linesDropped: number } {
    let bytesWritten = 0;
    let linesDropped = 0;
    for (const file of this.files.values()) {
      bytesWritten += file.writtenTotal;
      linesDropped += file.droppedTotal;
    }
    return { bytesWritten, linesDropped };
  }

  /** The log folder as last verified: while it is the same folder, unchanged, no file in it went. */
  private folderSeen: string | null = null;

  verify(): string[] {
    // Deleting or renaming a file changes its folder's mtime: one stat of the folder spares
    // one of every file (a fleet of 100 services has 104 logs) while nothing happened.
    const folder = statSync(this.options.logDir, { throwIfNoEntry: false });
    const seen = folder ? `${folder.ino}:${folder.mtimeMs}` : null;
    if (seen !== null && seen === this.folderSeen) return [];
    // taken before the files are looked at: a change during the look is seen at the next one
    this.folderSeen = seen;
    return [...this.files.values()].filter((file) => file.verify()).map((file) => file.path);
  }

  onEvent(listener: (event: LogEvent) => void): void {
    this.listeners.push(listener);
  }

  tail(service: string, lines: number): string[] {
    return tailLines(join(this.options.logDir, serviceLogFile(service)), lines);
  }

  follow(service: string, listener: (line: ServiceLine) => void): () => void {
    let listeners = this.followers.get(service);
    if (!listeners) this.followers.set(service, (listeners = new Set()));
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }

  private emit(event: LogEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  async close(): Promise<void> {
    // What a service wrote before it exited may still be in its pipe (Node says 'exit' before
    // the pipe is read to its end): read it out first, for as long as DRAIN_MS at most (a
    // grandchild that keeps the pipe open would hold it forever).
    if (this.draining.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(this.draining), new Promise((resolve) => (timer = setTimeout(resolve, DRAIN_MS)))]);
      clearTimeout(timer);
    }
    await Promise.all([...this.files.values()].map((f) => f.close()));
    this.files.clear();
    this.outputs.clear();
  }

  private file(name: string): LogFile {
    let file = this.files.get(name);
    if (!file) {
      file = new LogFile(join(this.options.logDir, name), {
        onError: (path, error) => this.emit({ kind: 'error', file: path, message: error.message }),
        onRotated: (path, rotatedTo) => this.emit({ kind: 'rotated', file: path, rotatedTo }),
        onRecovered: (path) => this.emit({ kind: 'recovered', file: path }),
      });
      file.setPolicy(this.policy);
      this.files.set(name, file);
    }
    return file;
  }

  private channel(files: LogFile[], tag?: string): Logger {
    const redact = this.options.redact;
    const consola: ConsolaInstance = createConsola({
      level: this.options.debug ? 4 : 3,
      throttle: 0,
      defaults: tag ? { tag } : {},
      reporters: [
        {
          log(entry: LogObject) {
            const level = LEVEL_NAMES[entry.level] ?? 'INFO';
            const text = formatWithOptions({ breakLength: Infinity }, ...entry.args);
            const tagText = entry.tag ? ` [${entry.tag}]` : '';
            const line = `${redact.text(oneLine(`${entry.date.toISOString()} [${level}]${tagText} ${text}`))}\n`;
            for (const file of files) file.writeLines(line);
          },
        },
      ],
    });
    return {
      debug: (m, ...a) => consola.debug(m, ...a),
      info: (m, ...a) => consola.info(m, ...a),
      warn: (m, ...a) => consola.warn(m, ...a),
      error: (m, ...a) => consola.error(m, ...a),
    };
  }
}

class FileServiceOutput implements ServiceOutput {
  constructor(
    private readonly file: LogFile,
    private readonly redact: Redactor,
    private readonly draining: Set<Promise<void>>,
    /** Told every chunk written (whole lines, redacted): what `Logs.follow` hands on. */
    private readonly tap: (stream: 'out' | 'err', chunk: Buffer, stamped: boolean) => void,
  ) {}

  attach(streams: { stdout: Readable | null; stderr: Readable | null }, options: { timestamps: boolean }): Promise<void> {
    const read = (['stdout', 'stderr'] as const).flatMap((name) => {
      const source = streams[name];
      return source ? [this.read(source, name === 'stdout' ? 'out' : 'err', options.timestamps)] : [];
    });
    const done = Promise.all(read).then(() => undefined);
    this.draining.add(done);
    void done.then(() => this.draining.delete(done));
    return done;
  }

  /**
   * Reads one stream into the log, whole lines, until it ends (or is destroyed): each chunk
   * stamped and written as it comes, the stream paused while the file is behind (a flood
   * waits in the service's pipe, not in the supervisor's memory).
   */
  private read(source: Readable, stream: 'out' | 'err', timestamps: boolean): Promise<void> {
    const file = this.file;
    let paused = false;
    const resume = () => {
      paused = false;
      source.resume();
    };
    const stamper = new LineStamper(timestamps ? stream : null, this.redact, (lines) => {
      if (file.writableEnded || file.destroyed) return; // the logs are closed: the supervisor is going
      this.tap(stream, lines, timestamps);
      // past the file's mark but under PAUSE_BYTES, the next chunk is stamped while this one is written
      if (!file.write(lines) && !paused && file.writableLength >= PAUSE_BYTES) {
        paused = true;
        source.pause();
        file.once('drain', resume);
      }
    });
    return new Promise<void>((resolve) => {
      let ended = false;
      let broken: Error | null = null;
      const end = () => {
        if (ended) return;
        ended = true;
        stamper.end();
        if (broken) this.note(`${stream === 'out' ? 'stdout' : 'stderr'} could not be read: ${broken.message}; what the service writes there now is lost`);
        resolve();
      };
      source.on('data', (chunk: Buffer) => stamper.write(chunk));
      source.once('end', end);
      // destroyed without an end (an error): what was read is written, the rest is gone with it
      source.once('close', end);
      source.on('error', (error: Error) => (broken ??= error));
    });
  }

  note(message: string): void {
    this.file.writeLines(this.redact.text(`${new Date().toISOString()} zmart ${oneLine(message)}\n`));
  }
}

/** The lines of a chunk of whole lines, without the `<ISO time> <out|err> ` stamp zmart put in front. */
function linesOf(chunk: Buffer, stamped: boolean): string[] {
  const lines = chunk.toString('utf8').split('\n');
  lines.pop(); // the chunk ends with a newline
  return stamped ? lines.map((line) => line.slice(line.indexOf(' ', line.indexOf(' ') + 1) + 1)) : lines;
}

/** One entry, one line: a message that spans lines (a multi-line command in a restart's detail) keeps its breaks as `\\n`. */
export const oneLine = (text: string): string => text.replace(/\r?\n/g, '\\n');
