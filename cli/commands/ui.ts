import { join } from 'node:path';
import { ZmartError } from '../../core/errors.js';
import { serviceLogFile } from '../../core/logging/file-logs.js';
import { tailLines } from '../../core/logging/tail.js';
import type { StatusReport } from '../../core/status/types.js';
import { askDaemon, fleetStatus, locateFleet } from '../fleet.js';
import type { Output } from '../output.js';
import type { UiSource } from '../ui/app.js';

/** `zmart ui`: the terminal UI on the running fleet (ink). Leaves the terminal as it found it. */
export async function ui(options: { config?: string }, out: Output): Promise<number> {
  if (!process.stdin.isTTY || !process.stdout.isTTY)
    throw new ZmartError('ZMART_USAGE', 'zmart ui needs a terminal (stdin and stdout a TTY); try zmart status or zmart logs -f');
  const fleet = await locateFleet(options.config);
  const first = await fleetStatus(fleet);
  if (!first.supervisor.running) {
    out.error(`no supervisor runs the fleet of ${fleet.config}: 'zmart start' first`);
    return 3;
  }
  const source: UiSource = {
    status: async () => {
      const answer = await askDaemon<StatusReport>(fleet, 'GET', '/v1/status', undefined, 5000);
      if (answer?.status !== 200) throw new Error('the supervisor does not answer');
      return answer.body;
    },
    logLines: (service, lines) => tailLines(join(fleet.logDir, serviceLogFile(service)), lines),
    act: async (action, service) => {
      const answer =
        action === 'hup'
          ? await askDaemon<{ error?: string }>(fleet, 'POST', '/v1/signal', { service, signal: 'SIGHUP' }, 10_000)
          : await askDaemon<{ error?: string }>(fleet, 'POST', `/v1/${action}`, { services: [service] }, 600_000);
      if (!answer) return `${action} ${service}: the supervisor does not answer`;
      return answer.status === 200 ? `${action} ${service}: done` : `${action} ${service}: ${answer.body.error ?? `status ${answer.status}`}`;
    },
  };
  // ink draws only the last frame where CI is set (it reads it when loaded); here a person
  // is at a terminal (checked above), so it draws live.
  process.env.CI = 'false';
  const { runUi } = await import('../ui/run.js');
  await runUi(source, !process.env.NO_COLOR);
  return 0;
}
