import { meant } from '../../core/config/suggest.js';
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { LOG_FILES, serviceLogFile } from '../../core/logging/file-logs.js';
import { rotatedFiles } from '../../core/logging/rotation.js';
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

  const followers = sources.map(({ name, file }) => follower(file, (line) => out.line(prefix(name) + shown(line))));
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

interface Followed {
  fd: number;
  ino: number;
  offset: number;
  /** The size at the previous look: a rotated file that stopped growing is finished. */
  seen: number;
  /** When it was opened: it was then the live file, so it was rotated at or after this. */
  openedAt: number;
  /** Its rotated name, once seen beside it uncompressed. */
  rotatedAs?: string;
}

/** When a rotated file (`api.log.2026-11-28T00-15-03-123Z.000[.gz]`) was rotated, in epoch ms. */
const rotatedAt = (name: string): number => {
  const m = /\.(\d{4}-\d\d-\d\d)T(\d\d)-(\d\d)-(\d\d)-(\d{3})Z\.\d{3}(\.gz)?$/.exec(name);
  return m ? Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`) : Number.NaN;
};

/**
 * Reads what was appended since the last call, following the file through rotations as
 * `tail -F` does: each file the path names is opened as soon as it is seen and read to its
 * end, and the next is printed only once the rotated one has stopped growing. Files that were
 * rotated (and maybe compressed) between two looks are read from disk in between. Every line
 * once, in order. A file that shrank in place (truncated) is read again from its start.
 */
function follower(file: string, onLine: (line: string) => void): () => void {
  const chain: Followed[] = [];
  let partial = '';
  const emit = (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  };
  const open = (fromEnd: boolean) => {
    try {
      const fd = openSync(file, 'r');
      const { ino, size } = fstatSync(fd);
      chain.push({ fd, ino, offset: fromEnd ? size : 0, seen: -1, openedAt: Date.now() });
    } catch {
      // not there (yet)
    }
  };
  const drain = (f: Followed) => {
    const size = fstatSync(f.fd).size;
    if (size < f.offset) f.offset = 0;
    if (size === f.offset) return;
    const buffer = Buffer.alloc(size - f.offset);
    readSync(f.fd, buffer, 0, buffer.length, f.offset);
    f.offset = size;
    emit(buffer.toString('utf8'));
  };
  /** Where a held file stands among the rotated ones: by its name if seen, else by when it was opened. */
  const indexOf = (rotated: string[], f: Followed | undefined) => {
    if (!f) return rotated.length;
    const i = f.rotatedAs ? rotated.indexOf(f.rotatedAs.replace(/\.gz$/, '')) : -1;
    const j = f.rotatedAs ? rotated.indexOf(`${f.rotatedAs.replace(/\.gz$/, '')}.gz`) : -1;
    if (i >= 0 || j >= 0) return Math.max(i, j);
    const k = rotated.findIndex((name) => rotatedAt(name) >= f.openedAt);
    return k === -1 ? rotated.length : k;
  };
  const readWhole = (path: string) => {
    try {
      const data = readFileSync(path);
      emit((path.endsWith('.gz') ? gunzipSync(data) : data).toString('utf8'));
    } catch {
      // pruned meanwhile: nothing left to read
    }
  };
  open(true);
  return () => {
    let current: number | null = null;
    try {
      current = statSync(file).ino;
    } catch {
      // rotated away, the new one not there yet
    }
    if (current !== null && chain.at(-1)?.ino !== current) open(false);
    const rotated = rotatedFiles(file);
    for (const f of chain) {
      f.rotatedAs ??= rotated.find((name) => !name.endsWith('.gz') && inode(name) === f.ino);
    }
    while (chain.length > 0) {
      const head = chain[0];
      drain(head);
      const finished = chain.length > 1 && head.offset === head.seen;
      head.seen = head.offset;
      if (!finished) break;
      closeSync(head.fd);
      chain.shift();
      // rotated, and maybe compressed, between two looks: never held, read from disk
      for (const name of rotated.slice(indexOf(rotated, head) + 1, indexOf(rotated, chain[0]))) readWhole(name);
    }
  };
}

function inode(path: string): number | null {
  try {
    return statSync(path).ino;
  } catch {
    return null;
  }
}

function serviceLogsIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const own = new Set<string>([...Object.values(LOG_FILES), 'zmart.out']);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log') && !own.has(f))
    .map((f) => f.slice(0, -'.log'.length));
}
