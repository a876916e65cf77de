import type { ResolvedService } from '../config/types.js';
import type { Clock, Logs, PidStore, ProcessHandle, ProcessInspector, ProcessRunner, Scheduler, Timer } from '../di/tokens.js';
import type { HookBus } from '../hook-bus.js';
import { serviceEnv } from '../process/service-env.js';
import { formatDuration } from '../format.js';
import { decideRestart, type RestartHistory } from './restart-policy.js';
import { StateMachine } from './state-machine.js';
import type { Alert, Health, LastRestart, RestartReason, ServiceSnapshot, ServiceState } from './types.js';

export interface ServiceDeps {
  runner: ProcessRunner;
  inspector: ProcessInspector;
  pids: PidStore;
  clock: Clock;
  scheduler: Scheduler;
  logs: Logs;
  hooks: HookBus;
  alert: (alert: Alert) => void;
  /** The environment services inherit (zmart's own, by default). */
  baseEnv: Record<string, string | undefined>;
}

interface Running {
  handle: ProcessHandle;
  startedAt: number;
  /** Set once it has run `readyAfter` (services nothing probes). */
  settled: boolean;
  /** Set when zmart itself is stopping the process: its exit is then expected. */
  stopping: boolean;
}

/**
 * One service's life: spawns it, watches its exit, applies the restart decision, stops its
 * whole tree. Every state change goes through the state machine and is emitted as a hook.
 */
export class ServiceController {
  private readonly machine: StateMachine;
  private running: Running | null = null;
  private health: Health | null;
  private history: RestartHistory = { restarts: [] };
  private restarts = 0;
  private lastRestart: LastRestart | null = null;
  private lastExit: ServiceSnapshot['lastExit'] = null;
  private lastError: string | null = null;
  private metrics: ServiceSnapshot['metrics'] = {};
  private backoffTimer: Timer | null = null;
  private attempt = 0;
  /** The spawn under way, if any: a stop waits for it so that nothing starts behind its back. */
  private inflight: Promise<void> | null = null;
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly config: ResolvedService,
    private readonly deps: ServiceDeps,
    /** True when a plugin reports this service's health: it then starts `unknown`, else null. */
    readonly probed: boolean,
  ) {
    this.health = probed ? 'unknown' : null;
    this.machine = new StateMachine(config.name, ({ from, to }) => {
      this.deps.logs.supervisor.debug(`${config.name}: ${from} -> ${to}`);
      void this.deps.hooks.emit('service:state', { service: config.name, from, to });
      for (const wake of this.waiters) wake();
    });
  }

  get name(): string {
    return this.config.name;
  }

  get state(): ServiceState {
    return this.machine.state;
  }

  /** Running, and healthy when something probes it: what `dependsOn: healthy` waits for. */
  get ready(): boolean {
    if (this.state !== 'running' || !this.running) return false;
    return this.probed ? this.health === 'healthy' : this.running.settled;
  }

  /** The running process's pid and start time: what proves it is ours. */
  identity(): { pid: number; startTime: number } | null {
    return this.running ? { pid: this.running.handle.pid, startTime: this.running.handle.startTime } : null;
  }

  snapshot(): ServiceSnapshot {
    return {
      name: this.config.name,
      title: this.config.title,
      state: this.state,
      health: this.health,
      ready: this.ready,
      pid: this.running?.handle.pid ?? null,
      port: this.config.port,
      command: this.config.commandText,
      startedAt: this.running?.startedAt ?? null,
      restarts: this.restarts,
      lastRestart: this.lastRestart,
      lastExit: this.lastExit,
      lastError: this.lastError,
      metrics: { ...this.metrics },
    };
  }

  /** Resolves on every state or health change until `done()` says so; used for readiness waits. */
  async until(done: () => boolean): Promise<void> {
    while (!done()) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          resolve();
        };
        this.waiters.add(wake);
      });
    }
  }

  /** Operator start: from stopped, exited or failed (a failed service gets its budget back). */
  async start(): Promise<void> {
    if (this.state === 'running' || this.state === 'starting' || this.state === 'stopping') return;
    this.cancelBackoff();
    this.history = { restarts: [] };
    await this.spawn();
  }

  /** Operator stop: cancels a pending restart, stops the whole tree, removes the pid files. */
  async stop(): Promise<void> {
    this.cancelBackoff();
    await this.inflight;
    if (this.state === 'backoff' || this.state === 'exited' || this.state === 'failed') {
      this.machine.transition('stopped');
      return;
    }
    if (!this.running) return;
    await this.kill();
    if (this.state === 'stopping') this.machine.transition('stopped');
  }

  /** Operator restart: resets the budget, stops if running, starts again at once. */
  async restart(): Promise<void> {
    await this.stop();
    this.noteManualRestart();
    await this.start();
  }

  /** Records an operator's restart (reason `manual`); the next start() resets the budget. */
  noteManualRestart(): void {
    const reason: RestartReason = { kind: 'manual', by: 'operator', detail: 'restarted by the operator' };
    this.recordRestart(reason);
    void this.deps.hooks.emit('service:restart', { service: this.name, reason, attempt: 0, delayMs: 0 });
  }

  /** A plugin asks for a restart of the running process; the policy and budget decide. */
  async requestRestart(reason: RestartReason): Promise<void> {
    if (this.state !== 'running' || !this.running || this.running.stopping) {
      this.deps.logs.monitor.debug(`${this.name}: restart asked by ${reason.by} (${reason.kind}) ignored in state ${this.state}`);
      return;
    }
    if (!this.deps.inspector.isAlive(this.running.handle)) {
      // The leader died and its exit is not handled yet (the kernel closes a dying process's
      // sockets before it tells us): what the plugin saw is that exit, reported as such.
      this.deps.logs.monitor.debug(`${this.name}: restart asked by ${reason.by} (${reason.kind}) ignored: pid ${this.running.handle.pid} already exited`);
      return;
    }
    const decision = decideRestart({
      policy: this.config.restart,
      history: this.history,
      now: this.deps.clock.now(),
      uptimeMs: this.deps.clock.now() - this.running.startedAt,
      reason,
    });
    this.history = decision.history;
    if (decision.action === 'stay-down') {
      this.deps.logs.monitor.warn(`${this.name}: ${reason.kind} (${reason.detail}) but not restarted: ${decision.why}`);
      return;
    }
    this.deps.logs.monitor.warn(`${this.name}: restart requested by ${reason.by}: ${reason.kind}: ${reason.detail}`);
    await this.kill();
    if (this.machine.state !== 'stopping') return; // the operator stopped or restarted it meanwhile
    if (decision.action === 'give-up') this.giveUp(reason, decision.restarts);
    else this.scheduleRestart(reason, decision.delayMs, decision.attempt);
  }

  setMetrics(metrics: ServiceSnapshot['metrics']): void {
    this.metrics = { ...this.metrics, ...metrics };
  }

  setHealth(health: Health, detail?: string): void {
    if (!this.probed || health === this.health) return;
    const previous = this.health;
    this.health = health;
    const line = `${this.name}: health ${previous} -> ${health}${detail ? ` (${detail})` : ''}`;
    if (health === 'healthy' || health === 'unknown') this.deps.logs.monitor.info(line);
    else this.deps.logs.monitor.warn(line);
    void this.deps.hooks.emit('service:health', { service: this.name, health, previous, detail });
    if (this.running && this.ready) void this.deps.hooks.emit('service:ready', { service: this.name, pid: this.running.handle.pid });
    for (const wake of this.waiters) wake();
  }

  private spawn(): Promise<void> {
    this.inflight = this.spawnProcess().finally(() => (this.inflight = null));
    return this.inflight;
  }

  private async spawnProcess(): Promise<void> {
    this.machine.transition('starting');
    this.attempt += 1;
    this.metrics = {};
    const output = this.deps.logs.serviceOutput(this.name);
    let refused: string | null = null;
    await this.deps.hooks.emit('service:prestart', {
      service: this.name,
      port: this.config.port,
      attempt: this.attempt,
      refuse: (detail) => void (refused ??= detail),
    });
    if (refused !== null) {
      this.lastError = refused;
      output.note(`not started: ${refused}`);
      this.deps.logs.startup.error(`${this.name}: not started: ${refused}`);
      this.machine.transition('failed');
      void this.deps.hooks.emit('service:failed', { service: this.name, reason: { kind: 'port', by: 'core', detail: refused }, restarts: this.restarts });
      this.deps.alert({ level: 'critical', kind: 'start-refused', service: this.name, message: `${this.config.title} not started: ${refused}` });
      return;
    }
    let handle: ProcessHandle;
    try {
      handle = await this.deps.runner.spawn({
        service: this.name,
        command: this.config.command,
        cwd: this.config.cwd,
        env: serviceEnv(this.config, this.deps.baseEnv),
      });
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      this.lastError = detail;
      output.note(`could not start: ${detail}`);
      this.deps.logs.startup.error(`${this.name}: ${detail}`);
      this.lastExit = { code: null, signal: null, at: new Date(this.deps.clock.now()).toISOString() };
      this.afterExit({ kind: 'exit', by: 'core', detail }, null, 0);
      return;
    }
    const startedAt = this.deps.clock.now();
    this.lastError = null;
    const running: Running = { handle, startedAt, stopping: false, settled: this.config.readyAfterMs === 0 };
    this.running = running;
    if (this.probed) this.health = 'unknown';
    this.deps.pids.write(this.name, {
      pid: handle.pid,
      startTime: handle.startTime,
      command: this.config.commandText,
      recordedAt: startedAt,
      stop: this.config.stop,
    });
    output.note(`started pid ${handle.pid}: ${this.config.commandText}`);
    void output.attach({ stdout: handle.stdout, stderr: handle.stderr }, { timestamps: this.config.logs.timestamps });
    this.deps.logs.startup.info(`${this.name}: started pid ${handle.pid} (attempt ${this.attempt})`);
    void this.deps.hooks.emit('service:spawn', {
      service: this.name,
      pid: handle.pid,
      command: this.config.commandText,
      attempt: this.attempt,
    });
    this.machine.transition('running');
    void this.deps.hooks.emit('service:started', { service: this.name, pid: handle.pid });
    if (this.ready) void this.deps.hooks.emit('service:ready', { service: this.name, pid: handle.pid });
    else if (!this.probed) {
      this.deps.scheduler.setTimeout(() => {
        if (this.running !== running || running.stopping || this.state !== 'running') return;
        running.settled = true;
        void this.deps.hooks.emit('service:ready', { service: this.name, pid: handle.pid });
        for (const wake of this.waiters) wake();
      }, this.config.readyAfterMs);
    }
    void handle.exited.then((exit) => this.onExit(handle, exit.code, exit.signal));
  }

  private async onExit(handle: ProcessHandle, code: number | null, signal: string | null): Promise<void> {
    const running = this.running;
    if (!running || running.handle !== handle) return;
    const uptimeMs = this.deps.clock.now() - running.startedAt;
    const expected = running.stopping;
    this.lastExit = { code, signal, at: new Date(this.deps.clock.now()).toISOString() };
    const detail = signal ? `killed by ${signal}` : `exited with code ${code}`;
    this.deps.logs.serviceOutput(this.name).note(`pid ${handle.pid} ${detail} after ${formatDuration(uptimeMs)}`);
    void this.deps.hooks.emit('service:exit', { service: this.name, pid: handle.pid, code, signal, expected, uptimeMs });
    if (expected) return; // kill() finishes the stop

    this.deps.logs.monitor.warn(`${this.name}: pid ${handle.pid} ${detail} after ${formatDuration(uptimeMs)}`);
    // What the leader left in its group (a forked worker holding the port) goes with it.
    running.stopping = true;
    await this.deps.runner.stop(handle, {
      signal: this.config.stop.signal,
      timeoutMs: this.config.stop.timeoutMs,
      leaderJustExited: true,
    });
    this.deps.pids.remove(this.name, handle.pid);
    if (this.running !== running) return; // the operator stopped or restarted it meanwhile
    this.running = null;
    if (this.probed) this.health = 'unknown';
    this.afterExit({ kind: 'exit', by: 'core', detail }, code, uptimeMs);
  }

  private afterExit(reason: RestartReason, code: number | null, uptimeMs: number): void {
    const decision = decideRestart({
      policy: this.config.restart,
      history: this.history,
      now: this.deps.clock.now(),
      uptimeMs,
      reason,
      exitCode: code,
    });
    this.history = decision.history;
    if (decision.action === 'restart') this.scheduleRestart(reason, decision.delayMs, decision.attempt);
    else if (decision.action === 'give-up') this.giveUp(reason, decision.restarts);
    else {
      this.deps.logs.monitor.info(`${this.name}: stays down: ${decision.why}`);
      this.machine.transition('exited');
      this.deps.alert({ level: 'warning', kind: 'service-down', service: this.name, message: `${this.config.title} is down: ${reason.detail}` });
    }
  }

  private scheduleRestart(reason: RestartReason, delayMs: number, attempt: number): void {
    this.restarts += 1;
    this.recordRestart(reason);
    this.machine.transition('backoff');
    this.deps.logs.monitor.warn(
      `${this.name}: restart ${attempt}/${this.config.restart.maxRestarts} in ${formatDuration(delayMs)} (${reason.kind}: ${reason.detail})`,
    );
    void this.deps.hooks.emit('service:restart', { service: this.name, reason, attempt, delayMs });
    this.deps.alert({
      level: 'warning',
      kind: 'restart',
      service: this.name,
      message: `${this.config.title} restarting (${reason.kind}: ${reason.detail}), attempt ${attempt}`,
    });
    this.backoffTimer = this.deps.scheduler.setTimeout(() => {
      this.backoffTimer = null;
      if (this.state === 'backoff') void this.spawn();
    }, delayMs);
  }

  private giveUp(reason: RestartReason, restarts: number): void {
    this.machine.transition('failed');
    const message = `${this.config.title} failed: ${restarts} restarts within ${formatDuration(this.config.restart.windowMs)}, last: ${reason.detail}; not restarting until the operator does`;
    this.deps.logs.monitor.error(`${this.name}: ${message}`);
    void this.deps.hooks.emit('service:failed', { service: this.name, reason, restarts });
    this.deps.alert({ level: 'critical', kind: 'service-failed', service: this.name, message });
  }

  /** Stops the running process tree as an expected exit; leaves the state at `stopping`. */
  private async kill(): Promise<void> {
    const running = this.running;
    if (!running) return;
    running.stopping = true;
    if (this.state === 'running' || this.state === 'starting') this.machine.transition('stopping');
    const { signal, timeoutMs } = this.config.stop;
    void this.deps.hooks.emit('service:stopping', { service: this.name, pid: running.handle.pid, signal });
    this.deps.logs.serviceOutput(this.name).note(`stopping pid ${running.handle.pid} with ${signal}`);
    const { forced } = await this.deps.runner.stop(running.handle, { signal, timeoutMs, exited: running.handle.exited });
    if (forced) this.deps.logs.shutdown.warn(`${this.name}: did not stop within ${formatDuration(timeoutMs)}: killed with SIGKILL`);
    this.deps.logs.shutdown.info(`${this.name}: stopped pid ${running.handle.pid}`);
    this.deps.pids.remove(this.name, running.handle.pid);
    this.running = null;
    if (this.probed) this.health = 'unknown';
    void this.deps.hooks.emit('service:stopped', { service: this.name, forced });
  }

  private recordRestart(reason: RestartReason): void {
    this.lastRestart = { ...reason, at: new Date(this.deps.clock.now()).toISOString() };
  }

  private cancelBackoff(): void {
    this.backoffTimer?.cancel();
    this.backoffTimer = null;
  }
}
