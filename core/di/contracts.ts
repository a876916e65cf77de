import type { Readable } from 'node:stream';
import type { HeldSocket, MarkerLook, ProcessTable, ProcStat } from './process-table.js';

/** The process table's contract lives in its own file (process-table.ts); named here with the other seams. */
export type { HeldSocket, MarkerLook, ProcessTable, ProcStat };

/**
 * The seams of zmart: the interfaces core depends on. Their DI tokens are in `tokens.ts`;
 * production wires the real implementations in `core/composition-root.ts`, and tests register
 * fakes in a child container.
 */
/** What time it is, in epoch milliseconds. */
export interface Clock {
  now(): number;
}

export interface Timer {
  cancel(): void;
}

/** Deferred and repeated work; the fake in core/testing fires it when its clock advances. */
export interface Scheduler {
  setTimeout(fn: () => void, ms: number): Timer;
  setInterval(fn: () => void, ms: number): Timer;
}

export interface Logger {
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

/** The supervisor's log channels (each its own file) and one output log per service. */
export interface Logs {
  supervisor: Logger;
  startup: Logger;
  shutdown: Logger;
  monitor: Logger;
  /** A logger tagged with a plugin's name, writing to the monitor and supervisor logs. */
  forPlugin(name: string): Logger;
  /** The sink for a service's stdout and stderr: every line timestamped, none split. */
  serviceOutput(service: string): ServiceOutput;
  /** How every log file (open and future) rotates; null: never. */
  setRotation(policy: RotationPolicy | null): void;
  /** Rotates the files whose period has turned, even if nothing was written since. */
  rotateIfDue(): void;
  /** Bytes written to every log and lines dropped (a full disk) since they were opened. */
  counters(): { bytesWritten: number; linesDropped: number };
  /** Makes again the files deleted under it (a removed log folder) and goes on there; returns them. */
  verify(): string[];
  /** Told about write failures (once per file until it works again) and finished rotations. */
  onEvent(listener: (event: LogEvent) => void): void;
  /** The last `lines` lines of a service's log, as written (secrets already redacted). */
  tail(service: string, lines: number): string[];
  /**
   * Calls `listener` with each line of the service's output as it is written (redacted, without
   * zmart's time stamp), in the writer's turn: it must be quick. Returns its unfollow function.
   */
  follow(service: string, listener: (line: ServiceLine) => void): () => void;
  close(): Promise<void>;
}

/** One line of a service's output, as written to its log (secrets redacted). */
export interface ServiceLine {
  service: string;
  /** `out` or `err`: which of its pipes it came from. */
  stream: 'out' | 'err';
  text: string;
}

export type LogEvent =
  | { kind: 'error'; file: string; message: string }
  | { kind: 'recovered'; file: string }
  | { kind: 'rotated'; file: string; rotatedTo: string };

export interface RotationPolicy {
  /** Rotate before a write would take the file past this many bytes. */
  maxSize: number | null;
  /** Rotate when the hour (3_600_000) or day (86_400_000, UTC) changes. */
  periodMs: number | null;
  /** Rotated files kept per log; older ones are removed. */
  keep: number;
  /** gzip rotated files (off the hot path). */
  compress: boolean;
}

export interface ServiceOutput {
  /**
   * Pipes both streams into the service's log, whole lines, each stamped with the time and
   * `out`/`err` unless `timestamps` is false; resolves once both have ended and been written.
   */
  attach(streams: { stdout: Readable | null; stderr: Readable | null }, options: { timestamps: boolean }): Promise<void>;
  /** A line written by zmart itself into the service's log (start, exit, stop notes). */
  note(message: string): void;
}

export interface SpawnSpec {
  service: string;
  /** A string runs through /bin/sh; an array is argv. */
  command: string | string[];
  cwd: string;
  env: Record<string, string>;
  /** Run as this uid and gid (with the user's supplementary groups where setpriv is there). */
  runAs?: { uid: number; gid: number; user: string | null } | null;
  /** A listening socket zmart holds, given as fd 3 with LISTEN_FDS=1, LISTEN_PID and LISTEN_FDNAMES (systemd's protocol). */
  listen?: { fd: number; name: string } | null;
}

export interface ExitInfo {
  code: number | null;
  signal: string | null;
}

/** A running process that zmart started, with the proof that it is ours. */
export interface ProcessHandle {
  pid: number;
  /** /proc start time in ticks: pid + startTime identify the process. */
  startTime: number;
  stdout: Readable | null;
  stderr: Readable | null;
  /** Resolves when the leader has exited (never rejects). */
  exited: Promise<ExitInfo>;
}

export interface StopOptions {
  signal: NodeJS.Signals;
  timeoutMs: number;
  /** `group` (default): the signal to every process at once; `main`: to the leader first, the rest once it has exited. */
  mode?: 'group' | 'main';
  /** The leader already exited and the caller, its parent, just saw it: clean up its group. */
  leaderJustExited?: boolean;
  /** `ZMART_INCARNATION=<id>` from the service's environment: finds what escaped its group. */
  marker?: string;
}

/** A process (or group) known by pid and start time: what a pid file's state proves. */
export interface ProcessIdentity {
  pid: number;
  startTime: number;
  /**
   * `ZMART_INCARNATION=<id>`, which zmart put in a service's environment: where start times are
   * only to the second (ps), a pid file's proof also needs it in the process's environment.
   */
  marker?: string;
}

/** Spawns services in their own process group and stops whole groups. */
export interface ProcessRunner {
  spawn(spec: SpawnSpec): Promise<ProcessHandle>;
  /** Signals the group, waits, then SIGKILLs what is left; `forced` says whether it had to. */
  stop(target: ProcessIdentity, options: StopOptions & { exited?: Promise<unknown> }): Promise<{ forced: boolean }>;
}

/** Read-only questions about processes on this machine. */
export interface ProcessInspector {
  info(pid: number): ProcessView | null;
  /** True when a process with this pid and start time is alive. */
  isAlive(identity: ProcessIdentity): boolean;
}

/** What a pid file's state file records: proof that a pid is the process zmart started. */
export interface PidRecord {
  pid: number;
  startTime: number;
  command: string;
  /** Epoch ms when zmart recorded it. */
  recordedAt: number;
  /** How to stop it, so that `zmart stop` can clean up an orphan without loading the config. */
  stop?: { signal: NodeJS.Signals; timeoutMs: number; mode?: 'group' | 'main' };
  /** The marker in its environment (`ZMART_INCARNATION=<id>`): what it started carries it too. */
  marker?: string;
}

export interface PidStore {
  readonly dir: string;
  write(name: string, record: PidRecord): void;
  read(name: string): PidRecord | null;
  /** Removes `<name>.pid` and its state file, only if they still describe `pid` (when given). */
  remove(name: string, pid?: number): void;
  /** Names that have a pid file (services and `monitor`). */
  list(): string[];
  /**
   * Takes the supervisor's exclusive lock for this folder (held until released or the holder
   * dies); `holder` names the live process that has it otherwise.
   */
  lock(self: ProcessIdentity, isAlive: (identity: ProcessIdentity) => boolean): { ok: true; release(): void } | { ok: false; holder: ProcessIdentity };
}

export interface HttpProbeResult {
  status: number;
  /** From sending the request to the end of the response body. */
  durationMs: number;
}

/** The network for probes and webhooks: HTTP over a keep-alive pool, and TCP connects; none outlives its timeout (it rejects). */
export interface HttpClient {
  probe(url: string, options: { timeoutMs: number }): Promise<HttpProbeResult>;
  /** Opens a TCP connection and closes it at once; resolves with how long it took. */
  connect(host: string, port: number, options: { timeoutMs: number }): Promise<{ durationMs: number }>;
  /** POSTs a JSON body; resolves with the status (any), rejects on network error or timeout. */
  postJson(url: string, body: unknown, options: { timeoutMs: number; headers?: Record<string, string> }): Promise<{ status: number }>;
  close(): Promise<void>;
}

/** A process as plugins see it: pid and start time identify it. */
export interface ProcessView {
  pid: number;
  startTime: number;
  ppid: number;
  pgid: number;
  command: string;
}

export interface TreeUsage {
  rssBytes: number;
  /** CPU since the previous sample of the same processes, in % of one core. */
  cpuPercent: number;
  processes: Array<{ pid: number; command: string; rssBytes: number; cpuPercent: number }>;
}

/** The machine: memory and the free space of a folder's file system. */
export interface SystemInfo {
  memory(): { totalBytes: number; availableBytes: number };
  /** `device` tells two folders on one file system apart from two file systems. */
  disk(path: string): { totalBytes: number; freeBytes: number; device: string } | null;
  /** The folders zmart writes to, whose disks matter. */
  folders: { logDir: string; pidDir: string };
}

export interface PortListener extends ProcessView {
  address: string;
  port: number;
}

/** What plugins may ask about processes and ports; stopping one goes through core. */
export interface PluginProcesses {
  /** Who listens on this TCP port (v4 and v6); null where the platform cannot tell (not Linux). */
  listeners(port: number): PortListener[] | null;
  /**
   * True when nothing listens on the port, by trying to bind it on every address (a quick
   * check, ~1 ms; `listeners` reads /proc and costs more). False does not say who holds it.
   */
  portFree(port: number): Promise<boolean>;
  /** The service's live process tree, leader first; [] when it is not running. */
  tree(service: string): ProcessView[];
  /** The service a process is proven to belong to (its tree or group now, or a pid file's record), else null. */
  ownerOf(process: { pid: number; startTime: number }): string | null;
  /** Memory and CPU of the service's whole tree now (null when it does not run). */
  usage(service: string): Promise<TreeUsage | null>;
  /**
   * Runs a short command (an alert hook, say): a string through /bin/sh, an array as argv;
   * `input` on its stdin; killed with its group after `timeoutMs`.
   */
  run(
    command: string | string[],
    options: { input?: string; env?: Record<string, string>; timeoutMs: number },
  ): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }>;
  /** Stops a process and its tree, gracefully then by force. Core logs it with the reason. */
  terminate(
    process: { pid: number; startTime: number },
    options: { reason: string; signal?: NodeJS.Signals; timeoutMs?: number },
  ): Promise<{ forced: boolean }>;
}

/** The services that run now, as the factory below asks for them. */
export interface RunningServices {
  /** Every running service's live process. */
  all(): Array<{ service: string; identity: ProcessIdentity }>;
  /** One service's live process, or null (a lookup, not a walk over the fleet). */
  of(service: string): ProcessIdentity | null;
}

/** Each plugin's `ctx.processes`; `stopCommands` ends, with their groups, the commands plugins still run (an exec probe at stop). */
export type PluginCommands = ((plugin: string) => PluginProcesses) & { stopCommands?: () => Promise<void> };

/** Builds the plugins' process answers for one setup of the plugins, given which process each running service has. */
export type PluginProcessesFactory = (running: RunningServices) => PluginCommands;

/** The environment services inherit: zmart's own in production. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** A watch on files, for plugins: `close()` ends it. */
export interface FileWatch {
  /** The watched paths (absolute) that did not exist when the watch began: a change under them is seen only once they appear. */
  missing: string[];
  close(): Promise<void>;
}

/** Watches files and folders (recursively) for changes, for plugins that restart on them. */
export interface FileWatcher {
  /**
   * Calls `onChange(path)` for each file added, changed or removed under `paths` (relative to
   * `cwd`), except those `ignore(path)` (absolute) says to pass over. Changes already there
   * when it starts are not reported.
   */
  watch(paths: string[], options: { cwd: string; ignore: (path: string) => boolean }, onChange: (path: string) => void): FileWatch;
}
