import { closeSync, existsSync, fstatSync, openSync, readSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LOG_FILES, serviceLogFile } from '../../core/logging/file-logs.js';
import { tailLines } from '../../core/logging/tail.js';
import { ZmartError } from '../../core/errors.js';
import { locateFleet } from '../fleet.js';
import type { Output } from '../output.js';

export interface LogsOptions {
  config?: string;
  service?: string;
  lines: number;
  follow: boolean;
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
  if (options.service) {
    const own = OWN_LOGS[options.service];
    if (!own && !known.includes(options.service)) {
      throw new ZmartError('ZMART_USAGE', `no service named '${options.service}' (services: ${known.join(', ') || 'none yet'}; zmart's own logs: ${Object.keys(OWN_LOGS).join(', ')})`);
    }
    sources = [{ name: options.service, file: join(fleet.logDir, own ?? serviceLogFile(options.service)) }];
  } else {
    sources = known.map((name) => ({ name, file: join(fleet.logDir, serviceLogFile(name)) }));
  }
  const width = Math.max(...sources.map((s) => s.name.length));
  const prefix = (name: string) => (sources.length > 1 ? `${out.dim(`${name.padEnd(width)} |`)} ` : '');
  for (const { name, file } of sources) for (const line of tailLines(file, options.lines)) out.line(prefix(name) + line);
  if (!options.follow) return 0;

  const followers = sources.map(({ name, file }) => follower(file, (line) => out.line(prefix(name) + line)));
  const timer = setInterval(() => followers.forEach((f) => f()), 200);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(timer);
  return 0;
}

/** Reads what was appended since the last call; starts over when the file shrank (rotated). */
function follower(file: string, onLine: (line: string) => void): () => void {
  let offset = sizeOf(file);
  let partial = '';
  return () => {
    const size = sizeOf(file);
    if (size < offset) {
      offset = 0;
      partial = '';
    }
    if (size === offset) return;
    const fd = openSync(file, 'r');
    try {
      const buffer = Buffer.alloc(size - offset);
      readSync(fd, buffer, 0, buffer.length, offset);
      offset = size;
      const text = partial + buffer.toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      lines.forEach(onLine);
    } finally {
      closeSync(fd);
    }
  };
}

function sizeOf(file: string): number {
  try {
    const fd = openSync(file, 'r');
    try {
      return fstatSync(fd).size;
    } finally {
      closeSync(fd);
    }
  } catch {
    return 0;
  }
}

function serviceLogsIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const own = new Set<string>([...Object.values(LOG_FILES), 'zmart.out']);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log') && !own.has(f))
    .map((f) => f.slice(0, -'.log'.length));
}
