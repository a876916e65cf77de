import { join } from 'node:path';
import { endOnCoreFault } from '../../core/daemon/core-faults.js';
import { runSupervisor } from '../../core/daemon/run-supervisor.js';
import { notifySystemd } from '../../core/daemon/sd-notify.js';
import { serviceLogFile } from '../../core/logging/file-logs.js';
import { tailLines } from '../../core/logging/tail.js';
import { formatDuration, formatNames } from '../../core/format.js';
import { builtinPlugins } from '../builtins.js';
import type { Output } from '../output.js';
import { zmartVersion } from '../version.js';

export interface StartOptions {
  config?: string;
  services: string[];
}

/**
 * `zmart start --foreground`: the supervisor attached to this terminal. Prints each service
 * coming up and every restart; SIGINT/SIGTERM stop everything gracefully and exit 0. The
 * control socket is served as in the background, so `zmart status` works alongside.
 */
export async function startForeground(options: StartOptions, out: Output): Promise<number> {
  const t0 = Date.now();
  let width = 0;
  let logDir = '';
  let toldReady = false;
  const warn = (message: string) => out.error(message);
  const running = await runSupervisor({
    configPath: options.config,
    version: zmartVersion(),
    builtins: builtinPlugins,
    services: options.services.length > 0 ? options.services : undefined,
    onSupervisor: (supervisor, config) => {
      width = Math.max(...config.services.map((s) => s.name.length));
      logDir = config.logDir;
      supervisor.hooks.on('service:ready', ({ service, pid }) => {
        out.line(`  ${out.ok('✔')} ${service.padEnd(width)} up    pid ${pid}  ${out.dim(`(${formatDuration(Date.now() - t0)})`)}`);
        // As a systemd unit's main process: READY=1 once, when every service is up (not before).
        const all = supervisor.snapshots();
        if (!toldReady && all.every((s) => s.ready)) {
          toldReady = true;
          void notifySystemd(['--ready', `--status=${all.length}/${all.length} up`], warn);
        }
      });
      supervisor.hooks.on('service:restart', ({ service, reason, attempt, delayMs }) => {
        if (reason.kind === 'manual') return;
        out.line(`  ${out.bad('↻')} ${service}: ${reason.kind}: ${reason.detail}; restart ${attempt} in ${formatDuration(delayMs)}`);
      });
      supervisor.hooks.on('service:failed', ({ service, restarts }) => {
        out.line(`  ${out.bad('✖')} ${service} failed after ${restarts} restarts; see ${join(config.logDir, serviceLogFile(service))}`);
      });
      out.line(`zmart ${process.pid}: starting ${formatNames(config.services.map((s) => s.name))} (${config.file})`);
    },
    onStarted: (report) => {
      for (const { name, why } of report.down) {
        out.line(`  ${out.bad('✖')} ${name} did not come up: ${why}`);
        for (const line of tailLines(join(logDir, serviceLogFile(name)), 5)) out.line(out.dim(`      ${line}`));
      }
      out.line(`${report.up.length}/${report.up.length + report.down.length} up; logs in ${logDir}; Ctrl-C stops everything`);
    },
    onStopping: (reason) => {
      out.line(`\n${reason}: stopping...`);
      void notifySystemd(['STOPPING=1'], warn);
    },
  });
  // A terminal or pipe that goes away is no fault of the supervisor's: it goes on writing its logs.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  endOnCoreFault(() => running.supervisor.logs);
  // Hold the event loop open while services come and go; released at stop.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  await running.done;
  clearInterval(keepAlive);
  out.line('stopped');
  return 0;
}
