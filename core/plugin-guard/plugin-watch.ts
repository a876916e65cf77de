import { performance } from 'node:perf_hooks';
import type { Logger } from '../di/contracts.js';

/** A plugin's place in the supervisor: `running`, `disabled` in config, or `failed` (set aside, with why). */
export type PluginState = 'starting' | 'running' | 'disabled' | 'failed';

/** One plugin in `zmart status --json` (`plugins[]`). */
export interface PluginStatus {
  name: string;
  state: PluginState;
  /** Why a plugin is `failed`: its setup threw or did not finish in time. */
  why?: string;
  /** The longest one call into the plugin held the event loop, in ms. */
  slowestMs: number;
  /** Every call into the plugin, added up: the loop time the plugin has used, in ms. */
  heldMsTotal: number;
  /** Calls timed (hook handlers, timers, watch and log callbacks). */
  calls: number;
}

/** A call that holds the event loop this long is logged, naming the plugin. */
export const STALL_MS = 250;

/**
 * The stall watchdog and the plugins' table. In-process plugins cannot be preempted: every
 * call into plugin code (hook handler, timer, callback) is timed with a `performance.now()`
 * pair instead, and one that held the loop for STALL_MS or more is logged with the plugin's
 * name and what was called, so a slow supervisor always says why.
 */
export class PluginWatch {
  private readonly plugins = new Map<string, PluginStatus>();

  constructor(
    private readonly log: () => Logger,
    private readonly stallMs = STALL_MS,
  ) {}

  /** Starts the table afresh (a reload sets the plugins up again); totals start at 0. */
  reset(): void {
    this.plugins.clear();
  }

  add(name: string, state: PluginState): void {
    this.plugins.set(name, { name, state, slowestMs: 0, heldMsTotal: 0, calls: 0 });
  }

  setState(name: string, state: PluginState, why?: string): void {
    const entry = this.plugins.get(name);
    if (!entry) return;
    entry.state = state;
    if (why === undefined) delete entry.why;
    else entry.why = why;
  }

  state(name: string): PluginState | undefined {
    return this.plugins.get(name)?.state;
  }

  /** Records how long a call into `owner` held the loop; a stall is logged. Unknown owners (core) are not counted. */
  held(owner: string, where: string, ms: number): void {
    const entry = this.plugins.get(owner);
    if (!entry) return;
    entry.calls += 1;
    entry.heldMsTotal += ms;
    if (ms > entry.slowestMs) entry.slowestMs = ms;
    if (ms >= this.stallMs) this.log().warn(`plugin ${owner} held the supervisor ${Math.round(ms)} ms (${where})`);
  }

  /** Runs `fn` as a call into `owner`, timed. */
  time<T>(owner: string, where: string, fn: () => T): T {
    const started = performance.now();
    try {
      return fn();
    } finally {
      this.held(owner, where, performance.now() - started);
    }
  }

  list(): PluginStatus[] {
    return [...this.plugins.values()].map((p) => ({
      ...p,
      slowestMs: Math.round(p.slowestMs * 1000) / 1000,
      heldMsTotal: Math.round(p.heldMsTotal * 1000) / 1000,
    }));
  }
}
