import { allHealthy, fleetStatus, locateFleet } from '../fleet.js';
import type { Output } from '../output.js';
import { escapeControls } from '../../core/format.js';
import { detailedStatus, quickStatus } from '../render/status-text.js';

export interface StatusOptions {
  config?: string;
  detailed?: boolean;
  all?: boolean;
  resources?: boolean;
  json?: boolean;
}

/**
 * `zmart status`: the daemon's view, or the pid files' when no daemon runs. Exit 0 when every
 * service runs (healthy where probed), 1 otherwise, 3 when no supervisor runs.
 */
export async function status(options: StatusOptions, out: Output): Promise<number> {
  const fleet = await locateFleet(options.config);
  const report = await fleetStatus(fleet);
  if (options.json) {
    out.line(JSON.stringify(report, null, 2));
  } else if (options.resources) {
    const { resourceLines } = await import('../render/system-info.js');
    for (const l of await resourceLines(report)) out.line(l);
  } else if (options.all) {
    const info = await import('../render/system-info.js');
    const sections = [detailedStatus(report), await info.resourceLines(report), info.recentLogLines(report), info.connectionLines(report)];
    out.line(sections.map((lines) => lines.map(escapeControls).join('\n')).join('\n\n'));
  } else {
    // what a service or a plugin said (a log line, a restart detail) is shown, never obeyed by the terminal
    for (const l of options.detailed ? detailedStatus(report) : quickStatus(report)) out.line(escapeControls(l));
  }
  if (!report.supervisor.running) return 3;
  return allHealthy(report) ? 0 : 1;
}
