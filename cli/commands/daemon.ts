import { endOnCoreFault } from '../../core/daemon/core-faults.js';
import type { Logs } from '../../core/di/contracts.js';
import { runSupervisor } from '../../core/daemon/run-supervisor.js';
import { builtinPlugins } from '../builtins.js';
import { zmartVersion } from '../version.js';

/**
 * The detached supervisor that `zmart start` launches (dist/bin/daemon.js). Its stdout and
 * stderr go to <logDir>/zmart.out; everything else to the log files. An exception in a
 * plugin is caught at the plugin boundary and logged; one in core ends the daemon (exit 70)
 * and the next start adopts the services (core/daemon/core-faults.ts).
 */
export async function runDaemon(options: { config: string; services: string[] }): Promise<number> {
  let logs: Logs | null = null;
  endOnCoreFault(() => logs);
  const running = await runSupervisor({
    configPath: options.config,
    version: zmartVersion(),
    builtins: builtinPlugins,
    services: options.services.length > 0 ? options.services : undefined,
  });
  logs = running.supervisor.logs;
  const keepAlive = setInterval(() => undefined, 1 << 30);
  await running.done;
  clearInterval(keepAlive);
  return 0;
}
