import { availableParallelism } from 'node:os';
import { basename, dirname, extname, resolve } from 'node:path';
import { parseSize } from '../../core/units.js';
import { newService } from '../fleet-model/defaults.js';
import { splitSecrets } from '../fleet-model/from-config.js';
import { ImportError, type Imported, ServiceNames } from './imported.js';
import { pythonRun } from './python-script.js';
import { wordsOf } from './shell-words.js';

/** What PM2 runs a script with when `interpreter` is not given, by its extension (PM2's own table). */
const INTERPRETERS: Record<string, string> = {
  '.js': 'node',
  '.cjs': 'node',
  '.mjs': 'node',
  '.py': 'python',
  '.sh': 'bash',
  '.rb': 'ruby',
  '.php': 'php',
  '.pl': 'perl',
  '.coffee': 'coffee',
  '.ts': 'bun',
};

/** Keys this import reads; any other key of an app is said as not carried. */
const READ = new Set([
  'name',
  'script',
  'args',
  'interpreter',
  'interpreter_args',
  'node_args',
  'cwd',
  'env',
  'instances',
  'exec_mode',
  'max_memory_restart',
  'autorestart',
  'max_restarts',
  'min_uptime',
  'restart_delay',
  'exp_backoff_restart_delay',
  'kill_timeout',
  'cron_restart',
  'watch',
  'ignore_watch',
]);
const LOGS = new Set(['out_file', 'error_file', 'log_file', 'log_date_format', 'merge_logs', 'combine_logs', 'time', 'output', 'error', 'log']);

type App = Record<string, unknown>;

/** PM2's durations: milliseconds as a number or a string ('1000', '5s' where PM2 takes one). */
function millis(value: unknown, where: string): number {
  const n = typeof value === 'number' ? value : /^\d+$/.test(String(value)) ? Number(value) : Number.NaN;
  if (!Number.isFinite(n) || n < 0) throw new ImportError(`${where}: ${JSON.stringify(value)}: expected milliseconds`);
  return n;
}

/**
 * A PM2 ecosystem file's `apps` (already evaluated: PM2 runs the file, and so did the caller, in a
 * child process with a deadline): each app a service, its script run by the interpreter PM2 would
 * pick, with its cwd, env, memory limit, restart and stop settings, cron and watch.
 */
export function readPm2(file: string, config: unknown): Imported {
  const apps = Array.isArray(config) ? config : (config as { apps?: unknown } | null)?.apps;
  if (!Array.isArray(apps) || apps.length === 0) throw new ImportError(`${file}: no apps: expected module.exports = { apps: [...] }`);
  const root = dirname(file);
  const notCarried: string[] = [];
  const names = new ServiceNames(notCarried);
  const origin = new Map<string, string>();
  const services = apps.map((value, index) => {
    const app = value as App;
    const where = `apps[${index}]${typeof app?.name === 'string' ? ` (${app.name})` : ''}`;
    if (typeof app !== 'object' || app === null || typeof app.script !== 'string' || app.script === '') throw new ImportError(`${file}: ${where}: no script`);
    const script = app.script;
    const cwd = resolve(root, typeof app.cwd === 'string' ? app.cwd : '.');
    const python = typeof app.interpreter !== 'string' && INTERPRETERS[extname(script)] === 'python' ? pythonRun(cwd, where) : undefined;
    if (python?.note) notCarried.push(python.note);
    const interpreter = typeof app.interpreter === 'string' ? app.interpreter : (python?.interpreter ?? INTERPRETERS[extname(script)] ?? 'none');
    const argv =
      interpreter === 'none'
        ? [script, ...wordsOf(app.args, `${where}.args`)]
        : [interpreter, ...wordsOf(app.interpreter_args ?? app.node_args, `${where}.interpreter_args`), script, ...wordsOf(app.args, `${where}.args`)];
    const name = names.name(typeof app.name === 'string' ? app.name : basename(script, extname(script)), where);
    origin.set(name, where);
    const service = newService(name, argv, cwd);
    if (python?.venv) service.venv = python.venv;
    const env = Object.fromEntries(Object.entries((app.env as Record<string, unknown>) ?? {}).map(([k, v]) => [k, String(v)]));
    if (/^\d+$/.test(env.PORT ?? '') && Number(env.PORT) >= 1 && Number(env.PORT) <= 65535) {
      service.port = Number(env.PORT);
      delete env.PORT; // zmart gives PORT from `port`, and port-guard watches it
    }
    service.env = splitSecrets(env);
    if (app.instances !== undefined && app.instances !== 1 && app.instances !== '1') {
      const n = Number(app.instances);
      // PM2's 'max' (or 0): one per core; -1: all cores but one
      const perCore = availableParallelism() + Math.min(n || 0, 0);
      service.replicas = Math.max(1, Math.min(64, Number.isInteger(n) && n > 0 ? n : perCore));
      notCarried.push(
        `${where}.instances ${app.instances}${app.exec_mode === 'cluster' ? " (cluster mode: one port shared through Node's cluster)" : ''}: ${service.replicas} replicas, each with PORT ${service.port ?? '(none)'} + i - 1; for one shared port, socket: true and listen({ fd: 3 }) in the app`,
      );
    }
    if (app.max_memory_restart !== undefined) {
      const text = String(app.max_memory_restart);
      const bytes = parseSize(/^\d+$/.test(text) ? Number(text) : /[KMG]$/i.test(text) ? `${text}B` : text);
      if (bytes === undefined) throw new ImportError(`${file}: ${where}.max_memory_restart ${JSON.stringify(text)}: expected a size like 300M`);
      service.memoryMaxBytes = bytes;
    }
    if (app.autorestart === false) service.restart.policy = 'never';
    if (app.max_restarts !== undefined) service.restart.maxRestarts = Number(app.max_restarts);
    if (app.min_uptime !== undefined) service.restart.minUptimeMs = millis(app.min_uptime, `${where}.min_uptime`);
    if (app.restart_delay !== undefined) {
      const delay = millis(app.restart_delay, `${where}.restart_delay`);
      service.restart.backoff = { initialMs: delay, factor: 1, maxMs: delay };
    }
    if (app.exp_backoff_restart_delay !== undefined) {
      // PM2 grows it by 1.5 up to 15 s
      service.restart.backoff = { initialMs: millis(app.exp_backoff_restart_delay, `${where}.exp_backoff_restart_delay`), factor: 1.5, maxMs: 15_000 };
    }
    if (app.kill_timeout !== undefined) service.stop.timeoutMs = millis(app.kill_timeout, `${where}.kill_timeout`);
    if (typeof app.cron_restart === 'string') service.restart.cron = app.cron_restart;
    if (app.watch === true || Array.isArray(app.watch)) {
      service.watch = { paths: app.watch === true ? ['.'] : (app.watch as unknown[]).map(String), ignore: wordsOf(app.ignore_watch, `${where}.ignore_watch`) };
    }
    for (const key of Object.keys(app)) {
      if (READ.has(key) || LOGS.has(key)) continue;
      notCarried.push(
        key.startsWith('env_')
          ? `${where}.${key}: only \`env\` is imported (pm2 start --env ${key.slice(4)} would add these)`
          : `${where}.${key}: zmart has no such setting`,
      );
    }
    if ([...LOGS].some((k) => app[k] !== undefined)) origin.set(name, `${where}; its output goes to zmart's logs/${name}.log`);
    return service;
  });
  notCarried.push(
    "PM2's defaults where the file says nothing: zmart stops with SIGKILL after 10 s (PM2: 1.6 s), allows 3 restarts in 10 minutes (PM2: 16 quick ones) and waits 1 s doubling to 60 s between them (PM2: none)",
  );
  return { format: 'pm2', fleet: { name: basename(root), root, source: file, services, plugins: [] }, notCarried, origin };
}
