import { escapeControls, formatDuration } from '../../core/format.js';
import type { ServiceStatus } from '../../core/status/types.js';
import { allHealthy, fleetStatus, locateFleet } from '../fleet.js';
import type { Output } from '../output.js';
import { failingText, formatBytes, notReady } from '../render/status-text.js';

const COLUMNS = ['NAME', 'STATE', 'PID', 'UPTIME', 'RESTARTS', 'MEMORY', 'CPU', 'HEALTH'] as const;

/** One row's cells, in COLUMNS' order. */
function row(s: ServiceStatus): string[] {
  return [
    s.name,
    s.state,
    s.pid === null ? '-' : String(s.pid),
    s.uptimeMs === null ? '-' : formatDuration(s.uptimeMs),
    s.lastRestart ? `${s.restarts} (${s.lastRestart.kind})` : String(s.restarts),
    s.rssBytes === null ? '-' : formatBytes(s.rssBytes),
    s.cpuPercent === null ? '-' : `${s.cpuPercent}%`,
    failingText(s) ?? (notReady(s) ? 'not ready' : (s.health ?? '-')),
  ];
}

/**
 * `zmart list` (`ls`): one line per service and replica, like `pm2 ls`. Exit codes as status's:
 * 0 all up and healthy, 1 something is not, 3 no supervisor (the rows then come from the pid files).
 */
export async function list(options: { config?: string }, out: Output): Promise<number> {
  const report = await fleetStatus(await locateFleet(options.config));
  const rows = [[...COLUMNS], ...report.services.map(row)].map((cells) => cells.map(escapeControls));
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const cells of rows) out.line(cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
  if (report.services.length === 0) out.line('(no services known yet: start the fleet with zmart start)');
  if (!report.supervisor.running) {
    out.line('no supervisor is running: what the pid files say');
    return 3;
  }
  return allHealthy(report) ? 0 : 1;
}
