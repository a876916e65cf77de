import { randomUUID } from 'node:crypto';
import type { ResolvedService, StopPolicy } from '../config/types.js';
import type { Clock, Environment, ExitInfo, Logs, PidStore, ProcessHandle, ProcessRunner, Scheduler } from '../di/contracts.js';
import { bestEffort } from '../best-effort.js';
import { formatDuration } from '../format.js';
import type { HookBus } from '../hook-bus.js';
import { serviceEnv } from '../process/service-env.js';
import { lineMatcher, watchForLine } from './ready-line.js';

/** The variable zmart sets in each run's environment, with an id of that run. */
export const MARKER = 'ZMART_INCARNATION';

export interface IncarnationDeps {
  runner: ProcessRunner;
  pids: PidStore;
  clock: Clock;
  logs: Logs;
  hooks: HookBus;
  env: Environment;
  /** Hides secrets (known values, secret-looking options) in what is recorded and shown. */
  redact: (text: string) => string;
  /** The listening socket zmart holds for a service with `socket` (bound at its first start). */
  socketFor: (service: ResolvedService) => Promise<{ fd: number; name: string } | null>;
}

/**
 * One run of a service's process: spawned with its pid file and its output attached, watched
 * until it exits, stopped with its whole tree. It knows nothing of states or restarts.
 */
export class Incarnation {
  /** Ready: its `ready` check passed, or (nothing probing it) it has run `readyAfter`. */
  readyMet: boolean;
  /** Set when zmart itself is ending it: its exit is then expected. */
  stopping = false;
  /** Part of a hand-over: a successor not yet in charge, or an old process it took over from. Its exit leaves the service running. */
  handingOver = false;
  /** The last signal the operator sent it (`zmart signal`), and when: an exit soon after is the reaction asked for. */
  signalled: { signal: NodeJS.Signals; at: number } | null = null;
  /** Resolves with the exit once the leader has ended (after `service:exit` was emitted). */
  readonly exited: Promise<ExitInfo>;

  private constructor(
    readonly handle: ProcessHandle,
    readonly startedAt: number,
    /** `ZMART_INCARNATION=<id>`: in the environment of everything this run starts. */
    private readonly marker: string,
    /** The pid file it is recorded under: the service's, or a successor's until it takes over. */
    private recordName: string,
    private readonly config: ResolvedService,
    private readonly deps: IncarnationDeps,
  ) {
    this.readyMet = config.ready === null && config.readyAfterMs === 0;
    this.exited = handle.exited.then((exit) => {
      const uptimeMs = deps.clock.now() - startedAt;
      const detail = exitDetail(exit);
      deps.logs.serviceOutput(config.name).note(`pid ${handle.pid} ${detail} after ${formatDuration(uptimeMs)}`);
      const { stopping: expected, handingOver: handOver } = this;
      void deps.hooks.emit('service:exit', { service: config.name, pid: handle.pid, ...exit, expected, handOver, uptimeMs });
      return exit;
    });
  }

  /** Sends the operator's signal to the main process, or to its whole process group; noted in its log and the monitor log, told to plugins. */
  signal(signal: NodeJS.Signals, scope: 'main' | 'group', by: string): void {
    const { name } = this.config;
    process.kill(scope === 'group' ? -this.handle.pid : this.handle.pid, signal);
    this.signalled = { signal, at: this.deps.clock.now() };
    this.deps.logs.serviceOutput(name).note(`${signal} sent to ${scope === 'group' ? 'the process group of ' : ''}pid ${this.handle.pid} by ${by}`);
    this.deps.logs.monitor.info(`${name}: ${signal} sent to pid ${this.handle.pid}${scope === 'group' ? ' and its process group' : ''} by ${by}`);
    void this.deps.hooks.emit('service:operator', { service: name, action: 'signal', by, detail: signal });
  }

  /**
   * Marks the run ready when its readiness says so: a line of its output (`ready.logLine`), or,
   * with no `ready` and nothing probing it, `readyAfter` of running. (A probe's readiness is a
   * plugin's: it reports it.)
   */
  watchReady(probed: boolean, scheduler: Scheduler, markReady: () => void): void {
    const { ready, readyAfterMs } = this.config;
    if (ready && 'logLine' in ready) watchForLine([this.handle.stdout, this.handle.stderr], lineMatcher(ready.logLine), markReady);
    else if (!ready && !probed) scheduler.setTimeout(markReady, readyAfterMs);
  }

  /** The signal the operator sent within `windowMs` before now, if any: an exit now is its reaction. */
  askedToEnd(windowMs: number): NodeJS.Signals | null {
    return this.signalled && this.deps.clock.now() - this.signalled.at <= windowMs ? this.signalled.signal : null;
  }

  /**
   * Spawns the service, writes its pid file (under `recordAs`: a successor's is its own until it
   * takes over) and attaches its output; throws when it cannot start.
   */
  static async spawn(config: ResolvedService, deps: IncarnationDeps, attempt: number, recordAs = config.name): Promise<Incarnation> {
    // Everything the service starts inherits it, even what leaves its process group: see stopProcessTree.
    const id = randomUUID();
    const listen = await deps.socketFor(config);
    const handle = await deps.runner.spawn({
      service: config.name,
      command: config.command,
      cwd: config.cwd,
      env: { ...serviceEnv(config, deps.env), [MARKER]: id },
      runAs: config.runAs,
      listen,
    });
    const run = new Incarnation(handle, deps.clock.now(), `${MARKER}=${id}`, recordAs, config, deps);
    run.writeRecord();
    const command = deps.redact(config.commandText);
    const output = deps.logs.serviceOutput(config.name);
    output.note(`started pid ${handle.pid}: ${config.commandText}`);
    void output.attach({ stdout: handle.stdout, stderr: handle.stderr }, { timestamps: config.logs.timestamps });
    deps.logs.startup.info(`${config.name}: started pid ${handle.pid} (attempt ${attempt})`);
    void deps.hooks.emit('service:spawn', { service: config.name, pid: handle.pid, command, attempt });
    return run;
  }

  /** Records it in its pid file. The process runs either way; without its pid file only an offline `zmart stop` could miss it. */
  private writeRecord(): void {
    const { handle, config, deps, startedAt: recordedAt, marker } = this;
    const record = { pid: handle.pid, startTime: handle.startTime, command: deps.redact(config.commandText), recordedAt, stop: config.stop, marker };
    bestEffort(
      `write the pid file of ${this.recordName}`,
      () => deps.pids.write(this.recordName, record),
      (m) => deps.logs.monitor.error(m),
    );
  }

  /** A successor takes over: the service's pid file names it now (its own successor's file goes). */
  takeOverRecord(): void {
    const own = this.recordName;
    this.recordName = this.config.name;
    this.writeRecord();
    bestEffort(
      `remove the pid file ${own}`,
      () => this.deps.pids.remove(own, this.pid),
      (m) => this.deps.logs.monitor.error(m),
    );
  }

  get pid(): number {
    return this.handle.pid;
  }

  uptimeMs(): number {
    return this.deps.clock.now() - this.startedAt;
  }

  /**
   * Stops the whole tree (the stop signal, then SIGKILL after the timeout) and removes the pid
   * file, with the stop settings in force now (a reload may have changed them since the spawn).
   */
  async kill(stop: StopPolicy = this.config.stop): Promise<{ forced: boolean }> {
    this.stopping = true;
    const { signal, timeoutMs, mode } = stop;
    this.deps.logs.serviceOutput(this.config.name).note(`stopping pid ${this.pid} with ${signal}${mode === 'main' ? ' (the main process first)' : ''}`);
    const { forced } = await this.deps.runner.stop(this.handle, { signal, timeoutMs, mode, exited: this.exited, marker: this.marker });
    if (forced) this.deps.logs.shutdown.warn(`${this.config.name}: did not stop within ${formatDuration(timeoutMs)}: killed with SIGKILL`);
    this.deps.logs.shutdown.info(`${this.config.name}: stopped pid ${this.pid}`);
    this.removePidFile();
    return { forced };
  }

  /** The stop settings changed (a reload): the pid file's record says so, for a stop without this supervisor. */
  restop(stop: StopPolicy): void {
    const record = this.deps.pids.read(this.recordName);
    if (!record || record.pid !== this.pid) return;
    bestEffort(
      `record the new stop settings of ${this.config.name}`,
      () => this.deps.pids.write(this.recordName, { ...record, stop }),
      (m) => this.deps.logs.monitor.error(m),
    );
  }

  /** After the leader died on its own: what it left in its group (a forked worker holding the port) goes too. */
  async reap(stop: StopPolicy = this.config.stop): Promise<void> {
    this.stopping = true;
    const { signal, timeoutMs } = stop;
    await this.deps.runner.stop(this.handle, { signal, timeoutMs, leaderJustExited: true, marker: this.marker });
    this.removePidFile();
  }

  private removePidFile(): void {
    bestEffort(
      `remove the pid file of ${this.recordName}`,
      () => this.deps.pids.remove(this.recordName, this.pid),
      (m) => this.deps.logs.monitor.error(m),
    );
  }
}

export const exitDetail = (exit: ExitInfo): string => (exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`);
