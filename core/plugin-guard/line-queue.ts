import type { Scheduler, ServiceLine } from '../di/contracts.js';
import { withDeadline } from './deadline.js';
import type { PluginWatch } from './plugin-watch.js';

/** Lines handed over in one turn before the queue lets the event loop run. */
const YIELD_EVERY = 64;

/** A line as a plugin following a service's log gets it: `lost` lines were dropped just before it. */
export interface FollowedLine extends ServiceLine {
  /** Lines dropped before this one because the plugin was still busy with earlier ones. */
  lost: number;
}

export type LineHandler = (line: FollowedLine) => void | Promise<void>;

export interface LineQueueOptions {
  owner: string;
  watch: PluginWatch;
  scheduler: Scheduler;
  /** Lines held for a plugin that is busy; past it, new lines are dropped and counted. */
  capacity: number;
  /** How long an async handler may take with one line before the next is given anyway. */
  deadlineMs: number;
  report: (error: unknown, where: string) => void;
}

/**
 * Between a service's log and one plugin that follows it: lines are taken as they are written
 * (never slowing the pipe: pushing is O(1) and never waits) and handed to the plugin one at a
 * time, after the current turn, each after the last one's promise settled (or its deadline).
 * A plugin that falls `capacity` lines behind loses the oldest it has not read, and the first
 * line after the gap says how many (`lost`).
 */
export class LineQueue {
  private readonly held: FollowedLine[] = [];
  private draining = false;
  private closed = false;

  constructor(
    private readonly handler: LineHandler,
    private readonly options: LineQueueOptions,
  ) {}

  push(line: ServiceLine): void {
    if (this.closed) return;
    let lost = 0;
    if (this.held.length >= this.options.capacity) {
      // Full: the oldest waiting line goes (the newest say most about the service now), and the
      // count goes with the first line after the gap.
      const dropped = this.held.shift()!;
      lost = dropped.lost + 1;
      const next = this.held[0];
      if (next) {
        next.lost += lost;
        lost = 0;
      }
    }
    this.held.push({ ...line, lost });
    if (!this.draining) {
      this.draining = true;
      setImmediate(() => void this.drain());
    }
  }

  close(): void {
    this.closed = true;
    this.held.length = 0;
  }

  private async drain(): Promise<void> {
    const { owner, watch, scheduler, deadlineMs, report } = this.options;
    try {
      let given = 0;
      for (let line = this.held.shift(); line && !this.closed; line = this.held.shift()) {
        // Let the pipes be read between batches: a quick handler still never holds them long.
        if (++given % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
        const followed = line;
        let result: unknown;
        try {
          result = watch.time(owner, 'log line', () => this.handler(followed));
        } catch (error) {
          report(error, 'log line');
          continue;
        }
        if (result instanceof Promise) {
          const outcome = await withDeadline(result, deadlineMs, scheduler).catch((error: unknown) => {
            report(error, 'log line');
            return { settled: true as const };
          });
          if (!outcome.settled) report(new Error(`a log line handler took over ${deadlineMs} ms; going on with the next line`), 'log line');
        }
      }
    } finally {
      this.draining = false;
      if (this.held.length > 0 && !this.closed) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    }
  }
}
