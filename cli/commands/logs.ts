import { closeSync, existsSync, fstatSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
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
      throw new ZmartError(
        'ZMART_USAGE',
        `no service named '${options.service}' (services: ${known.join(', ') || 'none yet'}; zmart's own logs: ${Object.keys(OWN_LOGS).join(', ')})`,
      );
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

/**
 * Reads what was appended since the last call. Follows the file through a rotation: when the
 * path names a new file, the rest of the old one is read first, then the new one from its
 * start; a file that shrank in place (truncated) is read again from its start.
 */
function follower(file: string, onLine: (line: string) => void): () => void {
  let fd: number | null = null;
  let ino = 0;
  let offset = 0;
  let partial = '';
  const open = (fromEnd: boolean) => {
    try {
      fd = openSync(file, 'r');
      const stat = fstatSync(fd);
      ino = stat.ino;
      offset = fromEnd ? stat.size : 0;
    } catch {
      fd = null;
    }
  };
  const drain = () => {
    if (fd === null) return;
    const size = fstatSync(fd).size;
    if (size < offset) offset = 0;
    if (size === offset) return;
    const buffer = Buffer.alloc(size - offset);
    readSync(fd, buffer, 0, buffer.length, offset);
    offset = size;
    const lines = (partial + buffer.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    lines.forEach(onLine);
  };
  open(true);
  return () => {
    if (fd === null) return open(false);
    drain();
    let current = 0;
    try {
      current = statSync(file).ino;
    } catch {
      return; // rotated away, the new one not there yet
    }
    if (current !== ino) {
      closeSync(fd);
      open(false);
      drain();
    }
  };
}

function serviceLogsIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const own = new Set<string>([...Object.values(LOG_FILES), 'zmart.out']);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log') && !own.has(f))
    .map((f) => f.slice(0, -'.log'.length));
}
