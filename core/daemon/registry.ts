import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { ZmartError } from '../errors.js';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where a running supervisor can be found without loading its config: one small JSON file
 * per config file under `$ZMART_HOME/runs` (default ~/.zmart). `zmart status` reads it to
 * find the socket and the pid folder in a few milliseconds.
 */
export interface RunEntry {
  config: string;
  root: string;
  pidDir: string;
  logDir: string;
  socket: string;
  /** The supervisor's pid while it runs; null once it stopped cleanly. */
  pid: number | null;
  version: string;
  services: Array<{ name: string; title: string; port: number | null; dependsOn: string[] }>;
}

export function zmartHome(env: Record<string, string | undefined> = process.env): string {
  return env.ZMART_HOME || join(homedir(), '.zmart');
}

const keyOf = (configFile: string) => createHash('sha256').update(configFile).digest('hex').slice(0, 16);

export function runEntryPath(configFile: string, env?: Record<string, string | undefined>): string {
  return join(zmartHome(env), 'runs', `${keyOf(configFile)}.json`);
}

export function readRunEntry(configFile: string, env?: Record<string, string | undefined>): RunEntry | null {
  try {
    const entry = JSON.parse(readFileSync(runEntryPath(configFile, env), 'utf8')) as RunEntry;
    return entry.config === configFile ? entry : null;
  } catch {
    return null;
  }
}

export function writeRunEntry(entry: RunEntry, env?: Record<string, string | undefined>): void {
  const path = runEntryPath(entry.config, env);
  mkdirSync(join(zmartHome(env), 'runs'), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(entry, null, 2), { mode: 0o600 });
  renameSync(temp, path);
}

/** Keeps the entry (status still knows the services and folders) but says nobody runs. */
export function markRunStopped(configFile: string, pid: number, env?: Record<string, string | undefined>): void {
  const entry = readRunEntry(configFile, env);
  if (entry && entry.pid === pid) writeRunEntry({ ...entry, pid: null }, env);
}

/**
 * The longest unix socket path the platform takes, in bytes: sun_path holds 108 on Linux and
 * 104 on macOS and the BSDs, the final NUL included.
 */
export function maxSocketPathBytes(platform: NodeJS.Platform = process.platform): number {
  return (platform === 'linux' ? 108 : 104) - 1;
}

/** The socket beside the pid files, or in a private temp folder when that path is too long for the platform. */
export function socketPathFor(pidDir: string, configFile: string, platform: NodeJS.Platform = process.platform): string {
  const beside = join(pidDir, 'zmart.sock');
  if (Buffer.byteLength(beside) <= maxSocketPathBytes(platform)) return beside;
  const folder = `zmart-${process.getuid?.() ?? 'user'}`;
  // A TMPDIR so deep that even the fallback would not fit: /tmp then, which every Unix has.
  const fits = Buffer.byteLength(join(tmpdir(), folder, `${keyOf(configFile)}.sock`)) <= maxSocketPathBytes(platform);
  const dir = join(fits ? tmpdir() : '/tmp', folder);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  checkSocketFolder(dir);
  return join(dir, `${keyOf(configFile)}.sock`);
}

/** Refuses a socket folder in TMPDIR that is not safely ours (see unsafeFolder); the client checks it before it trusts a socket there. */
export function checkSocketFolder(dir: string): void {
  const problem = unsafeFolder(dir);
  if (problem) {
    throw new ZmartError(
      'ZMART_UNSAFE_PATH',
      `the socket folder ${dir} ${problem}: another user may have planted it; remove it (or set TMPDIR elsewhere) and try again`,
    );
  }
}

/**
 * Why a shared folder (in /tmp) cannot be trusted with our socket, or null: it must be a real
 * folder (not a link), ours, and open to nobody else. It is never chmodded: a folder someone
 * else made stays theirs.
 */
function unsafeFolder(dir: string): string | null {
  const stat = lstatSync(dir);
  if (stat.isSymbolicLink()) return 'is a symbolic link';
  if (!stat.isDirectory()) return 'is not a folder';
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) return `belongs to uid ${stat.uid}, not to this user (uid ${uid})`;
  if ((stat.mode & 0o077) !== 0) return `is open to others (mode ${(stat.mode & 0o777).toString(8)}, expected 700)`;
  return null;
}
