import { createHash } from 'node:crypto';
import type { ResolvedConfig } from '../../core/config/types.js';
import { environmentAssignment, execLine, unitPath, unitText } from '../export/systemd-syntax.js';

export interface UnitOptions {
  /** The absolute paths of this install: node, and the zmart command (dist/bin/zmart.cjs). */
  node: string;
  zmart: string;
  /** A user unit (`systemctl --user`): no User=, WantedBy=default.target. */
  user: boolean;
  /** The account a system unit runs as. */
  account: string;
  /**
   * The PATH of the shell that ran `zmart startup`: at boot the services' `python3`, `node` or
   * `uvicorn` resolve as they did for the operator (pyenv, nvm, Homebrew, a venv), not to the
   * system's copies.
   */
  path: string | undefined;
}

/** How long the system gives zmart to stop the fleet: the largest service stop timeout (10 s at least) plus 30 s. */
export const stopAllowanceSec = (config: ResolvedConfig): number => Math.ceil(Math.max(10_000, ...config.services.map((s) => s.stop.timeoutMs)) / 1000) + 30;

/** A stable unit name per config file: two fleets on one machine get two units. */
export function unitName(configFile: string): string {
  return `zmart-${createHash('sha256').update(configFile).digest('hex').slice(0, 10)}.service`;
}

/**
 * The systemd unit that runs the fleet at boot: zmart in the foreground as the unit's main
 * process (Type=notify: READY=1 once every service is up, STOPPING=1 at shutdown), stopping its
 * own services in order (KillMode=mixed: SIGTERM to zmart alone, then SIGKILL to what is left
 * after TimeoutStopSec, the largest service stop timeout plus a margin).
 */
export function systemdUnit(config: ResolvedConfig, options: UnitOptions): string {
  const exec = execLine([options.node, options.zmart, 'start', '--foreground', '--config', config.file!]);
  const lines = [
    '[Unit]',
    `Description=${unitText(`zmart fleet ${config.services.map((s) => s.name).join(', ')} (${config.file})`)}`,
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=notify',
    'NotifyAccess=all',
    `ExecStart=${exec}`,
    `WorkingDirectory=${unitPath(config.root)}`,
    ...(options.user ? [] : [`User=${options.account}`]),
    // zmart's own environment only: never a service's env file (its secrets would reach every service)
    ...(options.path ? [`Environment=${environmentAssignment('PATH', options.path)}`] : []),
    'Restart=on-failure',
    'RestartSec=5',
    'KillMode=mixed',
    `TimeoutStopSec=${stopAllowanceSec(config)}`,
    '',
    '[Install]',
    `WantedBy=${options.user ? 'default.target' : 'multi-user.target'}`,
    '',
  ];
  return lines.join('\n');
}
