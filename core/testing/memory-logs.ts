import type { LogEvent, Logger, Logs, RotationPolicy, ServiceLine, ServiceOutput } from '../di/contracts.js';
import { formatWithOptions } from 'node:util';

export interface LogRecord {
  channel: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
}

/** Logs kept in memory, for asserting what a plugin or core wrote. */
export class MemoryLogs implements Logs {
  readonly records: LogRecord[] = [];
  readonly supervisor = this.channel('supervisor');
  readonly startup = this.channel('startup');
  readonly shutdown = this.channel('shutdown');
  readonly monitor = this.channel('monitor');

  forPlugin(name: string): Logger {
    return this.channel(`plugin:${name}`);
  }

  serviceOutput(service: string): ServiceOutput {
    const log = this.channel(`service:${service}`);
    return {
      attach: async () => undefined,
      note: (message) => log.info(message),
    };
  }

  verify(): string[] {
    return [];
  }

  /** The rotation policy a plugin set, and how often it asked for due rotations. */
  rotation: RotationPolicy | null = null;
  rotationChecks = 0;

  setRotation(policy: RotationPolicy | null): void {
    this.rotation = policy;
  }

  rotateIfDue(): void {
    this.rotationChecks += 1;
  }

  /** What `counters()` answers: set them to drive a plugin that reads them. */
  bytesWritten = 0;
  linesDropped = 0;

  counters(): { bytesWritten: number; linesDropped: number } {
    return { bytesWritten: this.bytesWritten, linesDropped: this.linesDropped };
  }

  onEvent(_listener: (event: LogEvent) => void): void {}

  /** Each service's output lines, as `feed` wrote them. */
  readonly lines = new Map<string, string[]>();
  private readonly followers = new Map<string, Set<(line: ServiceLine) => void>>();

  /** Writes lines into a service's log as if it printed them: `tail` reads them, followers get them. */
  feed(service: string, text: string | string[], stream: 'out' | 'err' = 'out'): void {
    const list = this.lines.get(service) ?? [];
    this.lines.set(service, list);
    for (const line of [text].flat()) {
      list.push(line);
      for (const listener of this.followers.get(service) ?? []) listener({ service, stream, text: line });
    }
  }

  tail(service: string, lines: number): string[] {
    return lines <= 0 ? [] : (this.lines.get(service) ?? []).slice(-lines);
  }

  follow(service: string, listener: (line: ServiceLine) => void): () => void {
    let listeners = this.followers.get(service);
    if (!listeners) this.followers.set(service, (listeners = new Set()));
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }

  async close(): Promise<void> {}

  private channel(channel: string): Logger {
    const record =
      (level: LogRecord['level']) =>
      (message: string, ...args: unknown[]) => {
        this.records.push({ channel, level, message: formatWithOptions({ breakLength: Infinity }, message, ...args) });
      };
    return { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
  }
}
