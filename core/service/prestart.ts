import type { Logs, Scheduler } from '../di/contracts.js';
import { formatDuration } from '../format.js';
import type { HookBus } from '../hook-bus.js';
import type { Alert, RestartReason } from './types.js';

export interface PrestartDeps {
  hooks: HookBus;
  scheduler: Scheduler;
  /** How long the handlers may take (config `pluginTimeouts.prestart`). */
  prestartMs: number;
  logs: Logs;
  alert: (alert: Alert) => void;
}

/**
 * Runs the `service:prestart` handlers, each for `prestartMs` at most. Resolves with the first
 * refusal (a handler's own, kind `plugin` unless it said otherwise, or one past its deadline,
 * kind `plugin` naming it: logged and alerted), 'stopped' when `stopped` came first (an
 * operator stop), or null: go ahead.
 */
export async function runPrestart(
  deps: PrestartDeps,
  start: { service: string; port: number | null; attempt: number },
  stopped: Promise<'stopped'> = new Promise(() => undefined),
): Promise<RestartReason | 'stopped' | null> {
  let refused: RestartReason | null = null;
  const late = deps.hooks.call('service:prestart', (by) => ({ ...start, refuse: (detail, kind = 'plugin') => void (refused ??= { kind, by, detail }) }), {
    ms: deps.prestartMs,
    scheduler: deps.scheduler,
  });
  const outcome = await Promise.race([late, stopped]);
  if (outcome === 'stopped') return outcome;
  for (const by of outcome) {
    const detail = `plugin ${by} did not finish service:prestart within ${formatDuration(deps.prestartMs)} (pluginTimeouts.prestart)`;
    deps.logs.monitor.error(`${start.service}: ${detail}`);
    deps.alert({ level: 'warning', kind: 'plugin-timeout', service: start.service, message: `${start.service}: ${detail}` });
    refused ??= { kind: 'plugin', by, detail };
  }
  return refused;
}

/**
 * One service's prestart: runs the handlers (runPrestart) and lets an operator stop end the
 * wait at once (`abort`), whatever the handlers do.
 */
export class PrestartGate {
  private abortWait: (() => void) | null = null;

  constructor(private readonly deps: PrestartDeps) {}

  async run(start: { service: string; port: number | null; attempt: number }): Promise<RestartReason | 'stopped' | null> {
    const stopped = new Promise<'stopped'>((resolve) => (this.abortWait = () => resolve('stopped')));
    try {
      return await runPrestart(this.deps, start, stopped);
    } finally {
      this.abortWait = null;
    }
  }

  /** An operator stop: the prestart under way (if any) ends now, as 'stopped'. */
  abort(): void {
    this.abortWait?.();
  }
}
