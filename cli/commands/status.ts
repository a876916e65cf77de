import { meant } from '../../core/config/suggest.js';
import { allHealthy, fleetStatus, locateFleet } from '../fleet.js';
import type { Output } from '../output.js';
import { ZmartError } from '../../core/errors.js';
import type { StatusReport } from '../../core/status/types.js';
import { escapeControls } from '../../core/format.js';
import { detailedStatus, quickStatus } from '../render/status-text.js';

export interface StatusOptions {
  config?: string;
  detailed?: boolean;
  all?: boolean;
  resources?: boolean;
  json?: boolean;
  /** Only these services (a replicated service's name stands for its replicas); all by default. */
  services?: string[];
}

/** The report with only the named services (`web` stands for web#1 … web#N); an unknown name is exit 2. */
export function onlyServices(report: StatusReport, names: string[] | undefined): StatusReport {
  if (!names || names.length === 0) return report;
  const known = report.services.map((s) => s.name);
  const wanted = new Set(
    names.flatMap((name) => {
      const matches = known.filter((k) => k === name || k.startsWith(`${name}#`));
      if (matches.length === 0)
        throw new ZmartError('ZMART_USAGE', `no service named '${name}'${meant(name, known)} (services: ${known.join(', ') || 'none yet'})`);
      return matches;
    }),
  );
  return { ...report, services: report.services.filter((s) => wanted.has(s.name)) };
}

/**
 * `zmart status`: the daemon's view, or the pid files' when no daemon runs. Exit 0 when every
 * service runs (healthy where probed), 1 otherwise, 3 when no supervisor runs.
 */
export async function status(options: StatusOptions, out: Output): Promise<number> {
  const fleet = await locateFleet(options.config);
  const report = onlyServices(await fleetStatus(fleet), options.services);
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
