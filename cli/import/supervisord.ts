import { readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { STOP_SIGNALS } from '../../core/config/schema.js';
import { splitSecrets } from '../fleet-model/from-config.js';
import { newService } from '../fleet-model/defaults.js';
import type { DeployedService } from '../fleet-model/model.js';
import { readSource } from './read-source.js';
import { ImportError, type Imported, ServiceNames } from './imported.js';
import { IniError, type IniSection, iniSections } from './ini-sections.js';
import { shellWords, wordsOf } from './shell-words.js';

const BOOLEAN: Record<string, boolean> = { true: true, yes: true, on: true, 1: true, false: false, no: false, off: false, 0: false };
const IGNORED = new Set(['stdout_logfile', 'stdout_logfile_maxbytes', 'stdout_logfile_backups', 'stderr_logfile', 'stderr_logfile_maxbytes']);

/** One program section with where it was read, for messages. */
interface Program {
  section: IniSection;
  file: string;
}

/** `[include] files = a.conf conf.d/*.conf`: a `*` or `?` in the last part of a path, as supervisord globs them. */
function included(file: string, section: IniSection): string[] {
  const here = dirname(file);
  return (section.values.get('files') ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .flatMap((pattern) => {
      const path = resolve(here, pattern);
      const name = basename(path);
      if (!/[*?]/.test(name)) return [path];
      const match = new RegExp(
        `^${name
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replaceAll('*', '.*')
          .replaceAll('?', '.')}$`,
      );
      try {
        return readdirSync(dirname(path))
          .filter((f) => match.test(f))
          .sort()
          .map((f) => join(dirname(path), f));
      } catch {
        return [];
      }
    });
}

/** Every `[program:x]` of the file and of the files it includes (once each). */
function programs(file: string, text: string, seen = new Set<string>()): Program[] {
  seen.add(file);
  let sections: IniSection[];
  try {
    sections = iniSections(text);
  } catch (error) {
    if (error instanceof IniError) throw new ImportError(`${file}:${error.line}: ${error.message}`);
    throw error;
  }
  const found: Program[] = [];
  for (const section of sections) {
    if (section.name.startsWith('program:')) found.push({ section, file });
    if (section.name === 'include') {
      for (const other of included(file, section)) if (!seen.has(other)) found.push(...programs(other, readSource(other), seen));
    }
  }
  return found;
}

/**
 * Python's %-expansions as supervisord applies them: `%(here)s`, `%(program_name)s`,
 * `%(process_num)02d`, `%(ENV_HOME)s` ...; `%%` is one `%`.
 */
function expand(value: string, vars: Record<string, string | number>, where: string, envUsed: Set<string>): string {
  return value.replace(/%\(([A-Za-z0-9_]+)\)([-#0 +]*)(\d*)([sd])|%%/g, (whole, name: string | undefined, flags: string, width: string, type: string) => {
    if (whole === '%%') return '%';
    const v = vars[name!];
    if (v === undefined) throw new ImportError(`${where}: %(${name})${type}: no such expansion (supervisord would refuse it too)`);
    if (name!.startsWith('ENV_')) envUsed.add(name!.slice(4));
    const text = type === 'd' ? String(Math.trunc(Number(v))) : String(v);
    return width ? (flags.includes('-') ? text.padEnd(Number(width)) : text.padStart(Number(width), flags.includes('0') && type === 'd' ? '0' : ' ')) : text;
  });
}

/** supervisord's `environment=A="1",B=2`: commas and `=` outside quotes separate. */
function environment(value: string, where: string): Record<string, string> {
  const env: Record<string, string> = {};
  let part = '';
  let quote: string | null = null;
  const parts: string[] = [];
  for (const ch of value) {
    if (quote) quote = ch === quote ? null : quote;
    else if (ch === '"' || ch === "'") quote = ch;
    if (ch === ',' && !quote) {
      parts.push(part);
      part = '';
    } else part += ch;
  }
  if (quote) throw new ImportError(`${where}: environment: no closing quotation`);
  parts.push(part);
  for (const pair of parts.map((p) => p.trim()).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ImportError(`${where}: environment: expected KEY=value, got ${JSON.stringify(pair)}`);
    env[pair.slice(0, eq).trim()] = shellWords(pair.slice(eq + 1)).join(' ');
  }
  return env;
}

/**
 * A `supervisord.conf` (and what it includes): each `[program:x]` a service (numprocs of them,
 * named by process_name), with its command split as supervisord splits it (no shell), its
 * directory, environment, user, restart and stop settings, and `priority` as start order.
 */
export function readSupervisord(file: string, text: string): Imported {
  const notCarried: string[] = [];
  const names = new ServiceNames(notCarried);
  const origin = new Map<string, string>();
  const envUsed = new Set<string>();
  const here = dirname(file);
  const found = programs(file, text);
  if (found.length === 0) throw new ImportError(`${file}: no [program:x] section: nothing to import`);
  const byPriority: { priority: number; service: DeployedService }[] = [];
  for (const { section, file: from } of found) {
    const program = section.name.slice('program:'.length);
    const where = `${basename(from)}:${section.line} [${section.name}]`;
    const get = (key: string) => section.values.get(key);
    const bool = (key: string, fallback: boolean) => {
      const v = get(key);
      if (v === undefined) return fallback;
      const b = BOOLEAN[v.toLowerCase()];
      if (b === undefined) throw new ImportError(`${where}: ${key}=${v}: expected true or false`);
      return b;
    };
    const int = (key: string, fallback: number) => {
      const v = get(key);
      if (v === undefined) return fallback;
      if (!/^\d+$/.test(v)) throw new ImportError(`${where}: ${key}=${v}: expected a whole number`);
      return Number(v);
    };
    const numprocs = int('numprocs', 1);
    const start = int('numprocs_start', 0);
    for (let n = start; n < start + numprocs; n += 1) {
      const vars: Record<string, string | number> = { here, program_name: program, group_name: program, process_num: n, numprocs, host_node_name: hostname() };
      for (const [k, v] of Object.entries(process.env)) if (v !== undefined) vars[`ENV_${k}`] = v;
      const value = (key: string) => {
        const v = get(key);
        return v === undefined ? undefined : expand(v, vars, `${where} ${key}`, envUsed);
      };
      const command = value('command');
      if (!command) throw new ImportError(`${where}: no command`);
      const argv = wordsOf(command, `${where}: command`);
      const processName = value('process_name') ?? program;
      const name = names.name(processName, where);
      const dir = value('directory');
      const service = newService(name, argv, dir ? resolve(here, dir) : here);
      if (dir && !isAbsolute(dir)) notCarried.push(`${where} directory: ${dir} is relative: taken from the file's folder`);
      const env = value('environment');
      if (env) service.env = splitSecrets(environment(env, where));
      service.user = value('user') ?? null;
      const autorestart = (get('autorestart') ?? 'unexpected').toLowerCase();
      service.restart.policy = autorestart === 'unexpected' ? 'on-failure' : bool('autorestart', true) ? 'always' : 'never';
      service.restart.maxRestarts = int('startretries', 3);
      service.readyAfterMs = int('startsecs', 1) * 1000;
      const signal = `SIG${(get('stopsignal') ?? 'TERM').toUpperCase().replace(/^SIG/, '')}`;
      if (!(STOP_SIGNALS as readonly string[]).includes(signal))
        throw new ImportError(`${where}: stopsignal=${get('stopsignal')}: expected TERM, HUP, INT, QUIT, KILL, USR1 or USR2`);
      service.stop = { signal: signal as NodeJS.Signals, timeoutMs: int('stopwaitsecs', 10) * 1000, mode: bool('stopasgroup', false) ? 'group' : 'main' };
      if (!bool('autostart', true)) notCarried.push(`${where} autostart=false: zmart starts every service of its config; leave it out, or stop it after start`);
      const exitcodes = get('exitcodes');
      if (exitcodes !== undefined && exitcodes.replace(/\s/g, '') !== '0')
        notCarried.push(`${where} exitcodes=${exitcodes}: zmart counts only exit code 0 as expected`);
      if (get('redirect_stderr') !== undefined || [...IGNORED].some((k) => get(k) !== undefined)) {
        origin.set(name, `${where}; its output goes to zmart's logs/${name}.log (stdout and stderr, each line stamped)`);
      } else origin.set(name, where);
      for (const key of ['umask', 'serverurl', 'stdout_capture_maxbytes', 'stdout_events_enabled', 'stderr_events_enabled', 'stdout_syslog', 'stderr_syslog']) {
        if (get(key) !== undefined) notCarried.push(`${where} ${key}: zmart has no such setting`);
      }
      byPriority.push({ priority: int('priority', 999), service });
    }
  }
  // priority: lower starts first; each program waits for the ones of the next lower priority
  const levels = [...new Set(byPriority.map((p) => p.priority))].sort((a, b) => a - b);
  for (const { priority, service } of byPriority) {
    const below = levels.filter((l) => l < priority).at(-1);
    if (below === undefined) continue;
    for (const other of byPriority.filter((p) => p.priority === below)) service.dependsOn[other.service.name] = 'started';
  }
  const services = byPriority.map((p) => p.service);
  if (services.some((s) => s.stop.mode === 'main')) {
    notCarried.push(
      "stopasgroup=false (supervisord's default): the stop signal goes to the main process first (stop.mode 'main'), and to the rest of its group once it exits, so nothing is left behind",
    );
  }
  notCarried.push(
    'startretries: supervisord retries only a start that fails within startsecs and then restarts forever; zmart allows that many restarts in 10 minutes (restart.maxRestarts, restart.window), then marks the service failed',
  );
  for (const name of envUsed) notCarried.push(`%(ENV_${name})s: read from this shell now (supervisord reads it at each start)`);
  return { format: 'supervisord', fleet: { name: basename(here), root: here, source: file, services, plugins: [] }, notCarried, origin };
}
