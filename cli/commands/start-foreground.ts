import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../core/config/load.js';
import { createContainer } from '../../core/di/composition-root.js';
import { TOKENS, type Logs } from '../../core/di/tokens.js';
import { serviceLogFile } from '../../core/logging/file-logs.js';
import { Supervisor } from '../../core/supervisor.js';
import { formatDuration } from '../../core/units.js';
import { builtinPlugins } from '../builtins.js';
import type { Output } from '../output.js';

export interface StartOptions {
  config?: string;
  services: string[];
}

/**
 * `zmart start --foreground`: the supervisor attached to this terminal. Prints each service
 * coming up and every restart; SIGINT/SIGTERM stop everything gracefully and exit 0.
 */
export async function startForeground(options: StartOptions, out: Output): Promise<number> {
  const config = await loadConfig({ configPath: options.config, builtins: builtinPlugins });
  const container = createContainer(config);
  const logs = container.resolve<Logs>(TOKENS.Logs);
  const supervisor = container.resolve(Supervisor);
  const t0 = Date.now();

  supervisor.hooks.on('service:ready', ({ service, pid }) => {
    out.line(`  ${out.ok('✔')} ${service.padEnd(width(config.services))} up    pid ${pid}  ${out.dim(`(${formatDuration(Date.now() - t0)})`)}`);
  });
  supervisor.hooks.on('service:restart', ({ service, reason, attempt, delayMs }) => {
    if (reason.kind === 'manual') return;
    out.line(`  ${out.bad('↻')} ${service}: ${reason.kind}: ${reason.detail}; restart ${attempt} in ${formatDuration(delayMs)}`);
  });
  supervisor.hooks.on('service:failed', ({ service, restarts }) => {
    out.line(`  ${out.bad('✖')} ${service} failed after ${restarts} restarts; see ${join(config.logDir, serviceLogFile(service))}`);
  });

  process.on('uncaughtException', (error) => logs.supervisor.error(`uncaught exception (kept running): ${error.stack ?? error}`));
  process.on('unhandledRejection', (error) => logs.supervisor.error(`unhandled rejection (kept running): ${String(error)}`));
  // Hold the event loop open while services come and go; released at stop.
  const keepAlive = setInterval(() => undefined, 1 << 30);

  let exitCode = 0;
  const stopped = new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      out.line(`\n${signal}: stopping ${config.services.length} service(s)...`);
      void supervisor.stop(`${signal} received`).then(resolve);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });

  out.line(`zmart ${process.pid}: starting ${config.services.map((s) => s.name).join(', ')} (${config.file})`);
  try {
    const report = await supervisor.start(options.services.length > 0 ? options.services : undefined);
    for (const { name, why } of report.down) {
      out.line(`  ${out.bad('✖')} ${name} did not come up: ${why}`);
      for (const line of lastLines(join(config.logDir, serviceLogFile(name)), 5)) out.line(out.dim(`      ${line}`));
    }
    out.line(`${report.up.length}/${report.up.length + report.down.length} up; logs in ${config.logDir}; Ctrl-C stops everything`);
  } catch (error) {
    await supervisor.stop('start failed');
    exitCode = 1;
    clearInterval(keepAlive);
    await logs.close();
    throw error;
  }
  await stopped;
  clearInterval(keepAlive);
  out.line('stopped');
  await logs.close();
  return exitCode;
}

const width = (services: Array<{ name: string }>) => Math.max(...services.map((s) => s.name.length));

function lastLines(file: string, count: number): string[] {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-count);
  } catch {
    return [];
  }
}
