import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { build } from 'plist';
import type { ResolvedConfig } from '../../core/config/types.js';
import { stopAllowanceSec } from './systemd-unit.js';

/** A stable LaunchAgent label per config file. */
export function agentLabel(configFile: string): string {
  return `dev.zmart.${createHash('sha256').update(configFile).digest('hex').slice(0, 10)}`;
}

/**
 * The macOS LaunchAgent (~/Library/LaunchAgents/<label>.plist) that runs the fleet at login:
 * zmart in the foreground, started at load, started again when it exits with a failure, its
 * own output in the log folder, and as long to stop as the largest service stop timeout plus
 * a margin before launchd kills it.
 */
export function launchAgent(config: ResolvedConfig, paths: { node: string; zmart: string; path?: string }): string {
  return build({
    // launchd's own PATH is /usr/bin:/bin:/usr/sbin:/sbin: the operator's, so that services resolve as they did
    ...(paths.path ? { EnvironmentVariables: { PATH: paths.path } } : {}),
    Label: agentLabel(config.file!),
    ProgramArguments: [paths.node, paths.zmart, 'start', '--foreground', '--config', config.file!],
    WorkingDirectory: config.root,
    RunAtLoad: true,
    KeepAlive: { SuccessfulExit: false },
    ExitTimeOut: stopAllowanceSec(config),
    StandardOutPath: join(config.logDir, 'zmart.launchd.log'),
    StandardErrorPath: join(config.logDir, 'zmart.launchd.log'),
  });
}
