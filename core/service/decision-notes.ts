import type { ResolvedService } from '../config/types.js';
import type { Logs } from '../di/contracts.js';
import { formatDuration } from '../format.js';
import type { RestartDecision } from './restart-policy.js';
import type { Alert, RestartReason } from './types.js';

/** What a restart decision says, once it is applied: a line in the monitor log and an alert. */
export function tellDecision(
  service: ResolvedService,
  reason: RestartReason,
  decision: RestartDecision,
  deps: { logs: Logs; alert: (alert: Alert) => void },
): void {
  const { name, title } = service;
  const cause = `${reason.kind}: ${reason.detail}`;
  if (decision.action === 'restart' && (reason.kind === 'schedule' || reason.kind === 'watch')) {
    // asked for, not trouble: no budget was spent, so no count and no alert
    deps.logs.monitor.info(`${name}: restart (${cause})`);
  } else if (decision.action === 'restart') {
    const { delayMs, attempt } = decision;
    deps.logs.monitor.warn(`${name}: restart ${attempt}/${service.restart.maxRestarts} in ${formatDuration(delayMs)} (${cause})`);
    deps.alert({ level: 'warning', kind: 'restart', service: name, message: `${title} restarting (${cause}), attempt ${attempt}` });
  } else if (decision.action === 'give-up') {
    const within = formatDuration(service.restart.windowMs);
    const message = `${title} failed: ${decision.restarts} restarts within ${within}, last: ${reason.detail}; not restarting until the operator does`;
    deps.logs.monitor.error(`${name}: ${message}`);
    deps.alert({ level: 'critical', kind: 'service-failed', service: name, message });
  } else {
    deps.logs.monitor.info(`${name}: stays down: ${decision.why}`);
    deps.alert({ level: 'warning', kind: 'service-down', service: name, message: `${title} is down: ${reason.detail}` });
  }
}
