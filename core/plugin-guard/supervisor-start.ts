import type { Logs, Scheduler } from '../di/contracts.js';
import { formatDuration } from '../format.js';
import type { HookBus } from '../hook-bus.js';
import type { HookMap } from '../hooks.js';
import type { Alert } from '../service/types.js';

/**
 * Emits the awaited `supervisor:start` and waits for its handlers, `setupMs` at most: a
 * handler past it is logged and alerted, naming the plugin, and the fleet starts without it.
 * Resolves with the plugins that were late.
 */
export async function announceStart(
  deps: { hooks: HookBus; scheduler: Scheduler; setupMs: number; logs: Logs; alert: (alert: Alert) => void },
  payload: HookMap['supervisor:start'],
): Promise<string[]> {
  const late = await deps.hooks.call('supervisor:start', payload, { ms: deps.setupMs, scheduler: deps.scheduler });
  for (const owner of late) {
    const detail = `plugin ${owner} did not finish supervisor:start within ${formatDuration(deps.setupMs)} (pluginTimeouts.setup): starting the fleet without waiting for it`;
    deps.logs.supervisor.error(detail);
    deps.alert({ level: 'warning', kind: 'plugin-timeout', message: detail });
  }
  return late;
}
