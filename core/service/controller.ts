import type { ResolvedService } from '../config/types.js';
import type { ExitInfo, ProcessInspector, Scheduler } from '../di/contracts.js';
import { formatDuration } from '../format.js';
import { exitDetail, Incarnation, type IncarnationDeps } from './incarnation.js';
import { ServiceRecord } from './record.js';
import { isTransient, TRANSIENT_RETRY_MS } from './restart-policy.js';
import { Lifecycle } from './state-machine.js';
import { RestartSchedule } from './schedule.js';
import { PrestartGate } from './prestart.js';
import { startSuccessor } from './hand-over.js';
import { prestartLetsStart, tellSpawnFailed } from './start-outcome.js';
import { Restarts } from './restarts.js';
import type { OperatorSignal, SignalScope } from './signals.js';
import { errorText, ZmartError } from '../errors.js';
import { StepQueue } from './step-queue.js';
import { Waiters } from './waiters.js';
import type { Alert, Health, ProbeFailures, RestartReason, ServiceSnapshot, ServiceState } from './types.js';

export interface ServiceDeps extends IncarnationDeps {
  inspector: ProcessInspector;
  scheduler: Scheduler;
  alert: (alert: Alert) => void;
  /** How long `service:prestart` handlers may take (config `pluginTimeouts.prestart`). */
  prestartMs: number;
}

/**
 * One service's life. Everything that can change it (operator start, stop and restart, a
 * plugin's restart request, the process's exit, the end of a backoff) runs as one step of a
 * serial queue, so no two interleave; every state change goes through `Lifecycle.transition`,
 * and every restart decision through `Restarts.apply` (restarts.ts), whoever asked.
 */
export class ServiceController {
  private readonly life: Lifecycle;
  private readonly record: ServiceRecord;
  private current: Incarnation | null = null;
  private readonly restarts: Restarts;
  private attempt = 0;
  private readonly steps: StepQueue;
  private readonly schedule: RestartSchedule;
  private readonly waiters = new Waiters();
  /** The `service:prestart` handlers before each spawn: an operator stop ends their wait at once. */
  private readonly prestart: PrestartGate;
  /** The command as status shows it, secrets hidden (worked out once: status asks often). */
  private shownCommand: string;
  /** Ends a hand-over's wait for its successor (an operator stop). */
  private abortHandOver: ((why: string) => void) | null = null;

  constructor(
    private settings: ResolvedService,
    private readonly deps: ServiceDeps,
    /** True when a plugin reports this service's health. */
    private probing: boolean,
  ) {
    const config = settings;
    this.shownCommand = deps.redact(config.commandText);
    this.steps = new StepQueue((error) => deps.logs.monitor.error(`${config.name}: internal error: ${errorText(error)}`));
    const fire = (pattern: string) => void this.requestRestart({ kind: 'schedule', by: 'core', detail: `restart.cron '${pattern}'` });
    this.schedule = new RestartSchedule(() => this.settings.restart.cron, deps.clock, deps.scheduler, fire);
    this.record = new ServiceRecord(config.name, probing, deps.hooks, deps.logs);
    this.prestart = new PrestartGate(deps);
    this.life = new Lifecycle(config.name, deps.hooks, ({ from, to }) => {
      deps.logs.supervisor.debug(`${config.name}: ${from} -> ${to}`);
      this.waiters.wake();
    });
    // a backoff over: start again, unless an operator's command moved the service meanwhile
    const respawn = () => this.steps.background(async () => void (this.state === 'backoff' && (await this.spawn())));
    this.restarts = new Restarts(() => this.settings, deps, this.record, this.life, respawn);
  }

  get name(): string {
    return this.settings.name;
  }

  get config(): ResolvedService {
    return this.settings;
  }

  /** True when a plugin reports this service's health. */
  get probed(): boolean {
    return this.probing;
  }

  /**
   * New settings (a reload; see fleet/reload-plan.ts), the process kept (its pid file's record of
   * how to stop it brought up to date). Health starts over when a plugin starts or stops probing it.
   */
  update(config: ResolvedService, probed: boolean): void {
    if (JSON.stringify(config.stop) !== JSON.stringify(this.settings.stop)) this.current?.restop(config.stop);
    this.settings = config;
    this.shownCommand = this.deps.redact(config.commandText);
    if (probed === this.probing) return;
    this.probing = probed;
    this.record.setProbed(probed);
    this.waiters.wake();
  }

  get state(): ServiceState {
    return this.life.state;
  }

  /**
   * Running and ready: its `ready` check passed; else healthy when something probes it; else up
   * for `readyAfter`. What `dependsOn: healthy` and `zmart start` wait for.
   */
  get ready(): boolean {
    const run = this.current;
    if (this.state !== 'running' || !run || run.stopping) return false;
    return this.config.ready || !this.probed ? run.readyMet : this.record.health === 'healthy';
  }

  /** A plugin's readiness check passed for the running process (`ready: { path | tcp | exec }`). */
  reportReady(): void {
    if (this.current) this.markReady(this.current);
  }

  /** The running process's pid and start time: what proves it is ours. */
  identity(): { pid: number; startTime: number } | null {
    return this.current ? { pid: this.current.pid, startTime: this.current.handle.startTime } : null;
  }

  snapshot(): ServiceSnapshot {
    const { config, current } = this;
    return this.record.snapshot({
      config: { ...config, commandText: this.shownCommand },
      state: this.state,
      ready: this.ready,
      run: current && { pid: current.pid, startedAt: current.startedAt },
      nextRestartAt: this.schedule.next,
    });
  }

  /** Resolves once `done()` holds, looking again at every state or health change. */
  until(done: () => boolean): Promise<void> {
    return this.waiters.until(done);
  }

  /** Resolves once every step queued so far has run (tests, and a clean shutdown). */
  idle(): Promise<void> {
    return this.steps.idle();
  }

  /** Operator start: from stopped, exited, failed or backoff, with the restart budget given back. */
  start(): Promise<void> {
    return this.steps.run(async () => {
      if (this.state === 'running') return;
      this.restarts.reset();
      await this.spawn();
    });
  }

  /** Operator stop: cancels a pending restart, stops the whole tree, removes the pid file. */
  stop(): Promise<void> {
    this.restarts.cancel();
    this.prestart.abort();
    this.abortHandOver?.('not ready: the service was stopped');
    return this.steps.run(async () => {
      this.restarts.cancel();
      if (this.state === 'running' && this.current) {
        const { forced } = await this.kill();
        this.life.transition('stopped', { forced });
      } else if (this.state === 'backoff' || this.state === 'exited' || this.state === 'failed') {
        this.life.transition('stopped', { forced: false });
      }
    });
  }

  /** Operator restart: stops, records the reason `manual`, starts again with the budget given back. */
  async restart(): Promise<void> {
    await this.stop();
    this.noteManualRestart();
    await this.start();
  }

  /**
   * A hand-over (hand-over.ts), for a service whose socket zmart holds: null when the successor
   * took over, else why not (the old process serves on), or 'not running' (the caller restarts it).
   */
  handOver(waitMs: number, next?: { config: ResolvedService; probed: boolean }): Promise<string | null> {
    let outcome: string | null = 'not running';
    return this.steps
      .run(async () => {
        if (next) this.update(next.config, next.probed);
        const old = this.current;
        if (this.state !== 'running' || !old || old.stopping || !this.deps.inspector.isAlive(old.handle)) return;
        const [abort, attempt, deps] = [new Promise<string>((resolve) => (this.abortHandOver = resolve)), ++this.attempt, this.deps];
        const taken = await startSuccessor(old, this.config, { ...deps, waitMs, attempt, abort }).finally(() => (this.abortHandOver = null));
        if ('why' in taken) return void (outcome = taken.why);
        const run = (this.current = taken.successor);
        this.schedule.arm();
        void deps.hooks.emit('service:ready', { service: this.name, pid: run.pid });
        void run.exited.then((exit) => this.steps.background(() => this.afterExit(run, exit)));
        await old.kill(this.config.stop);
        outcome = null;
      })
      .then(() => outcome);
  }

  /** Records an operator's restart (reason `manual`): counted, shown by status as the last restart, told to plugins. */
  noteManualRestart(): void {
    this.record.noteManualRestart(this.deps.clock.now());
  }

  /** A plugin asks for a restart of the running process: the budget decides (Restarts.request). */
  requestRestart(asked: RestartReason): Promise<void> {
    // A plugin's detail may carry a command line (memory-guard names the processes): no secret in it goes further.
    const reason = { ...asked, detail: this.deps.redact(asked.detail) };
    return this.steps.run(async () => {
      const run = this.current;
      const seen = run && { pid: run.pid, alive: this.deps.inspector.isAlive(run.handle), uptimeMs: run.uptimeMs() };
      await this.restarts.request(reason, seen, () => this.kill());
    });
  }

  /** The operator's signal (`zmart signal`) to the main process or its group; an exit soon after is asked for (Restarts.applyAskedExit). */
  signal(signal: OperatorSignal, scope: SignalScope, by = 'operator'): number {
    const run = this.current;
    if (this.state !== 'running' || !run || run.stopping || !this.deps.inspector.isAlive(run.handle)) {
      throw new ZmartError('ZMART_NOT_RUNNING', `${this.name} is ${this.state}: no process to send ${signal} to`);
    }
    run.signal(signal, scope, by);
    return run.pid;
  }

  setMetrics = (metrics: ServiceSnapshot['metrics']): void => this.record.setMetrics(metrics);
  noteProbeFailures = (failures: ProbeFailures): void => this.record.noteProbeFailures(failures);

  /** A plugin's word on the service's health (`by` its name); the service shows the worst of its reporters'. */
  setHealth(health: Health, detail?: string, by?: string): void {
    if (!this.record.setHealth(health, detail === undefined ? undefined : this.deps.redact(detail), by)) return;
    if (this.current && this.ready) void this.deps.hooks.emit('service:ready', { service: this.name, pid: this.current.pid });
    this.waiters.wake();
  }

  private async spawn(): Promise<void> {
    this.life.transition('starting');
    this.attempt += 1;
    this.record.newRun();
    const told = { ...this.deps, name: this.name, title: this.config.title, record: this.record, output: this.deps.logs.serviceOutput(this.name) };
    const refused = await this.prestart.run({ service: this.name, port: this.config.port, attempt: this.attempt });
    if (!prestartLetsStart(told, refused, this.life)) return;
    let run: Incarnation;
    try {
      run = await Incarnation.spawn(this.config, this.deps, this.attempt);
    } catch (error) {
      const reason = tellSpawnFailed(told, error);
      // Out of file descriptors or processes is the machine's trouble, not the service's: try again soon, budget untouched.
      this.restarts.apply(reason, isTransient(error) ? this.restarts.unbudgeted(TRANSIENT_RETRY_MS) : this.restarts.decide(reason, 0, null));
      return;
    }
    this.current = run;
    this.record.lastError = null;
    this.record.setHealth('unknown');
    this.life.transition('running', { pid: run.pid });
    this.schedule.arm();
    if (this.ready) void this.deps.hooks.emit('service:ready', { service: this.name, pid: run.pid });
    else run.watchReady(this.probed, this.deps.scheduler, () => this.markReady(run));
    void run.exited.then((exit) => this.steps.background(() => this.afterExit(run, exit)));
  }

  /** The process ended; unless zmart was stopping it, clean up its group and apply the restart decision. */
  private async afterExit(run: Incarnation, exit: ExitInfo): Promise<void> {
    if (this.current !== run || run.stopping) return; // a stop or a requested restart handled it
    const uptimeMs = run.uptimeMs();
    const detail = exitDetail(exit);
    this.record.noteExit(exit, this.deps.clock.now());
    this.deps.logs.monitor.warn(`${this.name}: pid ${run.pid} ${detail} after ${formatDuration(uptimeMs)}`);
    this.schedule.disarm();
    await run.reap(this.config.stop);
    this.current = null;
    this.record.setHealth('unknown', 'process exited');
    const asked = run.askedToEnd(this.config.stop.timeoutMs);
    if (asked) return this.restarts.applyAskedExit(asked, detail);
    const reason: RestartReason = { kind: 'exit', by: 'core', detail };
    this.restarts.apply(reason, this.restarts.decide(reason, uptimeMs, exit.code));
  }

  private markReady(run: Incarnation): void {
    if (this.current !== run || run.stopping || this.state !== 'running' || run.readyMet) return;
    run.readyMet = true;
    void this.deps.hooks.emit('service:ready', { service: this.name, pid: run.pid });
    this.waiters.wake();
  }

  /** Stops the running process tree: state `stopping` until the caller says where it goes next. */
  private async kill(): Promise<{ forced: boolean }> {
    const run = this.current!;
    run.stopping = true;
    this.schedule.disarm();
    this.life.transition('stopping', { pid: run.pid, signal: this.config.stop.signal });
    const t0 = this.deps.clock.now();
    const result = await run.kill(this.config.stop);
    const { signal, timeoutMs } = this.config.stop;
    this.record.noteStop({ signal, ms: this.deps.clock.now() - t0, forced: result.forced, timeoutMs }, this.deps.clock.now());
    this.current = null;
    this.record.setHealth('unknown', 'process stopped');
    return result;
  }
}
