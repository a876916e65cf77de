import { meant } from '../../core/config/suggest.js';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LOG_FILES, serviceLogFile } from '../../core/logging/file-logs.js';
import { followFile } from '../../core/logging/follow-file.js';
import { tailLines } from '../../core/logging/tail.js';
import { ZmartError } from '../../core/errors.js';
import { escapeControls } from '../../core/format.js';
import { locateFleet } from '../fleet.js';
import type { Output } from '../output.js';

export interface LogsOptions {
  config?: string;
  service?: string;
  lines: number;
  follow: boolean;
  /** Lines as written, control characters included (default: shown as `\x1b`). */
  raw?: boolean;
}

/** Names of zmart's own logs that `zmart logs NAME` also accepts. */
const OWN_LOGS: Record<string, string> = {
  zmart: LOG_FILES.supervisor,
  startup: LOG_FILES.startup,
  shutdown: LOG_FILES.shutdown,
  monitor: LOG_FILES.monitor,
};

/**
 * `zmart logs [SERVICE] [-n N] [-f]`: the last N lines of one service's log (or of every
 * service's, each line prefixed by its name), then with -f every new line as it is written.
 */
export async function logs(options: LogsOptions, out: Output): Promise<number> {
  if (!Number.isInteger(options.lines) || options.lines < 0) {
    throw new ZmartError('ZMART_USAGE', `-n: expected a whole number of lines, got ${options.lines}`);
  }
  const fleet = await locateFleet(options.config);
  const known = fleet.services.length > 0 ? fleet.services.map((s) => s.name) : serviceLogsIn(fleet.logDir);
  let sources: Array<{ name: string; file: string }>;
  // a replicated service's name stands for its replicas: `zmart logs web` is web#1 … web#N
  const replicas = options.service ? known.filter((name) => name.startsWith(`${options.service}#`)) : [];
  if (options.service && !known.includes(options.service) && replicas.length > 0) {
    sources = replicas.map((name) => ({ name, file: join(fleet.logDir, serviceLogFile(name)) }));
  } else if (options.service) {
    const own = Object.hasOwn(OWN_LOGS, options.service) ? OWN_LOGS[options.service] : undefined;
    if (!own && !known.includes(options.service)) {
      throw new ZmartError(
        'ZMART_USAGE',
        `no service named '${options.service}'${meant(options.service, [...known, ...Object.keys(OWN_LOGS)])} (services: ${known.join(', ') || 'none yet'}; zmart's own logs: ${Object.keys(OWN_LOGS).join(', ')})`,
      );
    }
    sources = [{ name: options.service, file: join(fleet.logDir, own ?? serviceLogFile(options.service)) }];
  } else {
    sources = known.map((name) => ({ name, file: join(fleet.logDir, serviceLogFile(name)) }));
  }
  const width = Math.max(...sources.map((s) => s.name.length));
  const prefix = (name: string) => (sources.length > 1 ? `${out.dim(`${name.padEnd(width)} |`)} ` : '');
  // a service's escape sequences are shown, never obeyed (--raw passes them)
  const shown = options.raw ? (line: string) => line : escapeControls;
  for (const { name, file } of sources) {
    // A missing file is said, not passed over in silence (a log folder removed, a service never started).
    if (!existsSync(file)) out.error(`no log at ${file} (yet)`);
    for (const line of tailLines(file, options.lines)) out.line(prefix(name) + shown(line));
  }
  if (!options.follow) return 0;

  const followers = sources.map(({ name, file }) => followFile(file, (line) => out.line(prefix(name) + shown(line))));
  const timer = setInterval(() => {
    for (const f of followers) f();
  }, 200);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(timer);
  return 0;
}

function serviceLogsIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const own = new Set<string>([...Object.values(LOG_FILES), 'zmart.out']);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log') && !own.has(f))
    .map((f) => f.slice(0, -'.log'.length));
}
