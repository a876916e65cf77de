import type { Duration } from '../units.js';
import type { RunAs } from './accounts.js';
import type { PluginInstance } from '../plugin.js';

export type RestartPolicy = 'always' | 'on-failure' | 'never';

/** Who gets the stop signal first: every process of the service (`group`), or its main process (`main`). */
export type StopMode = 'group' | 'main';

export interface StopPolicy {
  signal: NodeJS.Signals;
  timeoutMs: number;
  mode: StopMode;
}
export type DependencyCondition = 'started' | 'healthy';

/**
 * Per-service options that plugins declare. A plugin adds its key by module augmentation:
 * `declare module 'zmart' { interface ServiceOptionsRegistry { health?: HealthOptions } }`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: plugins add their keys by declaration merging, which a type alias cannot take
export interface ServiceOptionsRegistry {}

export interface RestartInput {
  /** always (default): restart on any exit; on-failure: not after exit code 0; never. */
  policy?: RestartPolicy;
  /** Restarts allowed within `window` before the service is marked failed (default 3). */
  maxRestarts?: number;
  window?: Duration;
  backoff?: { initial?: Duration; factor?: number; max?: Duration };
  /** A run at least this long earns the restart budget back (default '30s'). */
  minUptime?: Duration;
  /**
   * Restart on a schedule: croner syntax in local time ('0 4 * * *'; a leading seconds field
   * allowed). Reason `schedule`; it spends no budget and waits no backoff.
   */
  cron?: string;
}

export interface ServiceInput {
  title?: string;
  /** A string runs through /bin/sh; an array is argv and runs without a shell. */
  command: string | string[];
  /** Relative to the config file's folder. */
  cwd?: string;
  /**
   * Run the service (and all it starts) as this user (a name or a uid): its uid, its primary
   * group and supplementary groups (Linux, through setpriv), HOME, USER and LOGNAME. zmart must
   * run as root for any user but its own. Its logs are still written by zmart, as zmart's user.
   */
  user?: string;
  /** Run the service with this group (a name or a gid) instead of the user's primary group. */
  group?: string;
  env?: Record<string, string | number | boolean>;
  /**
   * Env files (one or a list, relative to `cwd`), read with Node's `util.parseEnv`; `${VAR}` and
   * `${VAR:-default}` are expanded. zmart's environment < envFile (later files win) < `env`.
   */
  envFile?: string | string[];
  /** A Python virtualenv folder (relative to `cwd`): its bin/ goes first on PATH. */
  venv?: string;
  port?: number;
  /**
   * zmart binds `port` itself (on 127.0.0.1, or `host`) before the first start, keeps it across
   * restarts and reloads, closes it at stop, and hands the listening socket to the process as fd
   * 3 with LISTEN_FDS=1, LISTEN_PID and LISTEN_FDNAMES (systemd's protocol: uvicorn `--fd 3`,
   * gunicorn, Node `listen({ fd: 3 })`). A restart then refuses no connection: `zmart restart`
   * starts a successor beside each process and stops the old one once the successor is ready (its
   * `ready.logLine`, else `readyAfter`: a probe of a shared socket cannot tell who answered).
   */
  socket?: true | { host?: string };
  /**
   * Run N processes of it (default 1): `name#1` … `name#N` everywhere (status, logs, pid files,
   * metrics), each with ZMART_REPLICA and, without `socket`, PORT = port + i - 1; health,
   * readiness, limits and restart budgets apply to each. A restart of the service is rolling
   * (one replica after another, each ready before the next); a dependant waits for one ready replica.
   */
  replicas?: number;
  /**
   * The container image that runs this service, for `zmart export compose|kubernetes` only
   * (zmart itself runs `command` on this machine). `--image` gives one for every service.
   */
  image?: string;
  /**
   * A service nothing probes counts as up (for `zmart start` and `dependsOn: healthy`) once it
   * has run this long without dying (default '500ms', like supervisord's startsecs).
   */
  readyAfter?: Duration;
  /**
   * Readiness, apart from liveness: until it passes the service runs but is not ready (what
   * `dependsOn: { x: 'healthy' }` and `zmart start` wait for); it never restarts anything. A
   * line of its output (`logLine`: a substring, or '/regex/'), an HTTP path, a TCP connect or
   * a command that exits 0. Without it, readiness is `health` (or `readyAfter`).
   */
  ready?: ReadyInput;
  restart?: RestartInput;
  /**
   * How the service is stopped: `signal` (default SIGTERM), `timeout` before SIGKILL (default
   * '10s'), and `mode`: `group` (default: the signal to every process of the service at once)
   * or `main` (the signal to the main process alone; the rest of its group gets it once the
   * main process has exited, and SIGKILL at the timeout: systemd's KillMode=mixed), for a
   * master that stops its own workers (postgres' smart shutdown, nginx, gunicorn).
   */
  stop?: { signal?: NodeJS.Signals; timeout?: Duration; mode?: StopMode };
  /** Services to wait for: a list (wait until started) or `{ name: 'started' | 'healthy' }`. */
  dependsOn?: string[] | Record<string, DependencyCondition>;
  /**
   * `timestamps` (default true): each line of the service's output starts with the time and
   * `out` or `err`. false writes the lines as the service wrote them (for a service that stamps
   * its own), still whole: a line of stdout and one of stderr never mix.
   */
  logs?: { timestamps?: boolean };
}

export type ServiceConfigInput = ServiceInput & { [K in keyof ServiceOptionsRegistry]?: ServiceOptionsRegistry[K] };

export interface ZmartConfigInput {
  /** Pid files and the control socket; relative to the config file (default 'server_pids'). */
  pidDir?: string;
  /** Log files; relative to the config file (default 'logs'). */
  logDir?: string;
  /** Write DEBUG lines to the logs (also: DEBUG=true). */
  debug?: boolean;
  /** Global monitoring defaults that probing plugins start from. */
  monitor?: { interval?: Duration; timeout?: Duration };
  services: Record<string, ServiceConfigInput>;
  /**
   * Deadlines for code in plugins: `setup` (each plugin's setup, and the `supervisor:start`
   * hook; default '10s'), `prestart` (the `service:prestart` hook; '10s') and `teardown` ('5s').
   * A setup past it sets the plugin aside; a prestart past it fails the service (reason
   * `plugin`); a teardown past it is abandoned and the stop goes on.
   */
  pluginTimeouts?: { setup?: Duration; prestart?: Duration; teardown?: Duration };
  /**
   * Plugins to add to the built-ins (health-http, port-guard, memory-guard, log-rotate, alerts,
   * watch), which always run unless turned off: a listed built-in takes the listed options, and
   * `enabled: false` (e.g. `memoryGuard({ enabled: false })`) turns it off, its settings kept.
   */
  plugins?: PluginInstance[];
}

export interface ResolvedRestart {
  policy: RestartPolicy;
  maxRestarts: number;
  windowMs: number;
  backoff: { initialMs: number; factor: number; maxMs: number };
  minUptimeMs: number;
  cron: string | null;
}

export interface ResolvedService {
  /** The service's name; a replica's is `group#index`. */
  name: string;
  title: string;
  /** The key in the config: the service, or the service whose replica this is. */
  group: string;
  /** Which replica this is (`replicas` > 1), or null. (Not how many there are: scaling leaves the others as they are.) */
  replica: { index: number } | null;
  /** The title and port the config gives the service (a replica's are derived from them). */
  base: { title: string; port: number | null };
  command: string | string[];
  /** The command as one line, for logs and status. */
  commandText: string;
  cwd: string;
  /** Who it runs as (`user`, `group`); null: as zmart. */
  runAs: RunAs | null;
  env: Record<string, string>;
  /** What the service's env files set (before `env`, which wins). */
  fileEnv: Record<string, string>;
  venv: string | null;
  port: number | null;
  /** Where zmart binds `port` itself (`socket`), or null. */
  socket: { host: string } | null;
  image: string | null;
  readyAfterMs: number;
  ready: ReadyInput<number> | null;
  restart: ResolvedRestart;
  stop: StopPolicy;
  dependsOn: Record<string, DependencyCondition>;
  logs: { timestamps: boolean };
  /** Plugin-declared per-service options, by key, as parsed by each plugin's schema. */
  options: Record<string, unknown>;
}

export interface ResolvedConfig {
  /** Absolute path of the config file, or null for a config built in code. */
  file: string | null;
  /** The folder relative paths resolve against. */
  root: string;
  pidDir: string;
  logDir: string;
  debug: boolean;
  monitor: MonitorDefaults;
  pluginTimeouts: PluginTimeouts;
  /** In dependency order: each service after everything it depends on. */
  services: ResolvedService[];
  plugins: PluginInstance[];
  /** What the config says that does nothing (a key of a plugin that is off), one line each: `zmart start` prints them. */
  notes: string[];
}

/** How long the supervisor waits for code in plugins, in ms (config `pluginTimeouts`). */
export interface PluginTimeouts {
  setupMs: number;
  prestartMs: number;
  teardownMs: number;
}

/**
 * Global monitoring defaults that probing plugins start from. `forced` holds what the seed's
 * variables (MONITOR_INTERVAL, HEALTH_CHECK_TIMEOUT) set: they win over every service's own.
 */
export interface MonitorDefaults {
  intervalMs: number;
  timeoutMs: number;
  forced: { intervalMs?: number; timeoutMs?: number };
}

/** How a service says it is ready (see ServiceInput.ready); durations as written, or in ms once resolved. */
export type ReadyInput<D = Duration> =
  | { logLine: string }
  | { path: string; interval?: D; timeout?: D }
  | { tcp: true; interval?: D; timeout?: D }
  | { exec: string | string[]; interval?: D; timeout?: D };
