import { runSupervisor } from '../../core/daemon/run-supervisor.js';
import { builtinPlugins } from '../builtins.js';
import { zmartVersion } from '../version.js';

/**
 * The detached supervisor that `zmart start` launches (dist/bin/daemon.js). Its stdout and
 * stderr go to <logDir>/zmart.out; everything else to the log files. An exception in a
 * plugin, or a write to a closed pipe, is logged and does not end it.
 */
export async function runDaemon(options: { config: string; services: string[] }): Promise<number> {
  process.on('uncaughtException', (error) => process.stderr.write(`${new Date().toISOString()} uncaught exception (kept running): ${error.stack ?? error}\n`));
  process.on('unhandledRejection', (error) => process.stderr.write(`${new Date().toISOString()} unhandled rejection (kept running): ${String(error)}\n`));
  const running = await runSupervisor({
    configPath: options.config,
    version: zmartVersion(),
    builtins: builtinPlugins,
    services: options.services.length > 0 ? options.services : undefined,
  });
  const keepAlive = setInterval(() => undefined, 1 << 30);
  await running.done;
  clearInterval(keepAlive);
  return 0;
}
