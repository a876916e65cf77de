import type { LogEvent, Logger, Logs, RotationPolicy, ServiceOutput } from '../di/contracts.js';
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
