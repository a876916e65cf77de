import { inject, injectable } from 'tsyringe';
import type { ResolvedConfig, ResolvedService } from './config/types.js';
import type { Clock, Environment, HttpClient, Logs, PidStore, ProcessInspector, ProcessTable, ProcessRunner, Scheduler, Timer } from './di/contracts.js';
import { TOKENS } from './di/tokens.js';
import { bestEffort } from './best-effort.js';
import { ZmartError } from './errors.js';
import { inStopOrder, withDependencies, type DependencyLists } from './fleet/graph.js';
import { pluginDirectory, runningServices } from './fleet/plugin-directory.js';
import { planReload, refuseReload, type ReloadPlan } from './fleet/reload-plan.js';
import type { HookBus } from './hook-bus.js';
import { isProbed } from './plugin-host.js';
import type { PluginStatus } from './plugin-guard/plugin-watch.js';
import { PluginRuntime } from './plugin-runtime.js';
import { announceStart } from './plugin-guard/supervisor-start.js';
import { claimFolder, clearLeftovers } from './fleet/boot.js';
import { forwardLogEvents, logAlert, watchLogFolder } from './fleet/log-folder-watch.js';
import { ServiceController, type ServiceDeps } from './service/controller.js';
import type { Alert, ServiceSnapshot } from './service/types.js';
import type { Redactor } from './logging/redact.js';
import { deferred, oneMeets, settled, type Deferred, type StartReport } from './fleet/start-wait.js';
import { OperatorRestarts, reloadRolls, rollReplaced, type RollKind } from './fleet/rolling-restart.js';
import { scaledConfig } from './config/replicas.js';
import { FleetSockets } from './process/listen-sockets.js';

export type { StartReport };
export { MONITOR } from './fleet/boot.js';
export type ReloadReport = Omit<ReloadPlan, 'pluginsChanged'>;

/**
 * Owns the services and the plugins: claims the supervisor's pid file, clears what a
 * crashed run left behind, starts services in dependency order and stops them in reverse.
 */
@injectable()
export class Supervisor {
  readonly hooks: HookBus;
  readonly startedAt: number;
  private readonly controllers = new Map<string, ServiceController>();
  private readonly serviceDeps: ServiceDeps;
  private current: ResolvedConfig;
  private teardownPlugins: (() => Promise<void>) | null = null;
  /** The operator's restarts: one asked for while another of the same service runs joins it. */
  private readonly restarts = new OperatorRestarts({
    stop: (names) => this.stopOnly(names),
    start: (names) => this.start(names),
    controller: (name) => this.controllers.get(name),
    scheduler: () => this.scheduler,
  });
  /** The listening sockets zmart holds for services with `socket`. */
  private readonly sockets: FleetSockets;
  private stopping: Promise<void> | null = null;
  private leftovers: Promise<unknown> = Promise.resolve();
  private claimed = false;
  private booting: Promise<void> | null = null;
  private releaseLock: () => void = () => undefined;
  private logCheck: Timer | null = null;

  constructor(
    @inject(TOKENS.Config) config: ResolvedConfig,
    @inject(TOKENS.Clock) readonly clock: Clock,
    @inject(TOKENS.Scheduler) private readonly scheduler: Scheduler,
    @inject(TOKENS.ProcessRunner) private readonly runner: ProcessRunner,
    @inject(TOKENS.ProcessInspector) private readonly inspector: ProcessInspector,
    @inject(TOKENS.PidStore) private readonly pids: PidStore,
    @inject(TOKENS.Logs) readonly logs: Logs,
    @inject(TOKENS.HttpClient) private readonly http: HttpClient,
    @inject(TOKENS.Environment) env: Environment,
    @inject(TOKENS.Redactor) private readonly redactor: Redactor,
    @inject(PluginRuntime) private readonly runtime: PluginRuntime,
    /** Where processes are looked up: /proc or ps and lsof (status reads it too). */
    @inject(TOKENS.ProcessTable) readonly table: ProcessTable,
  ) {
    this.current = config;
    this.startedAt = clock.now();
    this.hooks = runtime.hooks;
    this.sockets = new FleetSockets(table, () => this.controllers.values());
    const [hooks, alert, socketFor] = [this.hooks, (a: Alert) => this.alert(a), this.sockets.socketFor];
    const redact = (text: string) => redactor.text(text);
    this.serviceDeps = { runner, inspector, pids, clock, scheduler, logs, env, redact, hooks, alert, socketFor, prestartMs: config.pluginTimeouts.prestartMs };
    for (const service of config.services) this.controllers.set(service.name, this.newController(service));
    // a service that will not run again lets its socket go: connections are refused, not left waiting
    this.hooks.on('service:state', ({ to }) => void ((to === 'failed' || to === 'exited') && this.sockets.releaseIdle()));
    forwardLogEvents(logs, (file, rotatedTo) => void this.hooks.emit('log:rotated', { file, rotatedTo }), alert);
  }

  get config(): ResolvedConfig {
    return this.current;
  }

  snapshots(): ServiceSnapshot[] {
    return [...this.controllers.values()].map((c) => c.snapshot());
  }

  controller(name: string): ServiceController | undefined {
    return this.controllers.get(name);
  }

  /** Each plugin's state and how long its calls held the event loop (`status --json` `plugins`). */
  plugins(): PluginStatus[] {
    return this.runtime.watch.list();
  }

  /** Starts the named services (all by default) and what they depend on; resolves once each is up or down. */
  async start(names?: string[]): Promise<StartReport> {
    await this.boot();
    const wanted = withDependencies(this.graph(), names ?? [...this.controllers.keys()], (name) => {
      throw new ZmartError('ZMART_USAGE', `no service named '${name}' (known: ${[...this.controllers.keys()].join(', ')})`);
    }).map((name) => this.controllers.get(name)!);
    // Settles once a service's start was attempted (or given up): what dependants wait on first.
    const launched = new Map(wanted.map((c) => [c.name, deferred()]));
    const outcomes = await Promise.all(wanted.map((c) => this.startOne(c, launched).finally(() => launched.get(c.name)!.resolve())));
    const report: StartReport = { up: [], down: [] };
    outcomes.forEach((why, i) => {
      if (why === null) report.up.push(wanted[i].name);
      else report.down.push({ name: wanted[i].name, why });
    });
    void this.hooks.emit('supervisor:ready', { up: report.up, down: report.down.map((d) => d.name) });
    return report;
  }

  /** Stops every service in reverse dependency order, tears plugins down, removes monitor.pid. */
  stop(reason = 'stop requested'): Promise<void> {
    this.stopping ??= this.shutdown(reason);
    return this.stopping;
  }

  /** Stops the named services, each after the services that depend on it, and closes the sockets no process of theirs needs now. */
  async stopServices(names: string[]): Promise<void> {
    await this.stopOnly(names);
    this.sockets.releaseIdle();
  }

  /** Sockets zmart holds stay open (connections wait in their queue): the caller releases them. */
  private stopOnly(names: string[]): Promise<void> {
    return inStopOrder(this.graph(), names, (name) => this.controllers.get(name)!.stop());
  }

  /** The operator's restart, rolling for replicas (joined with one already under way for a service: see JoinedRestarts). */
  restartServices(names: string[], options: { allAtOnce?: boolean; waitMs?: number } = {}): Promise<StartReport> {
    return this.restarts.request(names, options);
  }

  alert(raised: Alert): void {
    // Alerts leave the machine (webhooks, commands): no secret in them.
    const alert = { ...raised, message: this.redactor.text(raised.message) };
    logAlert(this.logs, alert);
    void this.hooks.emit('alert', { ...alert, at: new Date(this.clock.now()).toISOString() });
  }

  /**
   * Claims monitor.pid (throws ZMART_ALREADY_RUNNING when another zmart holds it) and starts
   * clearing what a crashed run left behind. `boot()` does it when not done yet; the daemon
   * claims first, then opens its control socket, then boots: so a plugin slow to set up never
   * leaves a live supervisor that `status` cannot reach.
   */
  claim(): void {
    if (this.claimed) return;
    this.releaseLock = claimFolder({ pids: this.pids, inspector: this.inspector, clock: this.clock, root: this.config.root });
    this.claimed = true;
    const { pids, inspector, runner, clock, logs } = this;
    this.leftovers = clearLeftovers({ pids, inspector, runner, clock, logs, stopFor: (name) => this.controllers.get(name)?.config.stop });
  }

  /** Claims the folder (see `claim`) and sets the plugins up, each within its deadline. `start()` does it when not done yet. */
  boot(): Promise<void> {
    this.booting ??= this.bootOnce();
    return this.booting;
  }

  private async bootOnce(): Promise<void> {
    this.claim();
    const names = [...this.controllers.keys()];
    this.logs.startup.info(`zmart ${process.pid} starting ${names.join(', ')} (config ${this.config.file ?? 'inline'})`);
    for (const note of this.config.notes) this.logs.startup.warn(note);
    this.logCheck = watchLogFolder({ logs: this.logs, scheduler: this.scheduler, logDir: this.config.logDir, alert: (alert) => this.alert(alert) });
    await this.setUpPlugins();
    if (this.stopping) {
      // Stopped while the plugins were set up (the stop did not wait for them): undo them now.
      await this.teardownPlugins?.();
      this.teardownPlugins = null;
      return;
    }
    const deps = {
      hooks: this.hooks,
      scheduler: this.scheduler,
      setupMs: this.config.pluginTimeouts.setupMs,
      logs: this.logs,
      alert: (a: Alert) => this.alert(a),
    };
    await announceStart(deps, { services: names, configPath: this.config.file });
  }

  /** `zmart scale`: the service's replicas made `count`, applied as a reload (new ones start, the highest-numbered stop). */
  scale(group: string, count: number): Promise<ReloadReport> {
    if (!this.current.services.some((s) => s.group === group)) throw new ZmartError('ZMART_USAGE', `no service named '${group}'`);
    return this.reload(scaledConfig(this.current, group, count));
  }

  /**
   * Applies a new config: stops removed services, restarts those whose process settings changed,
   * updates in place (process kept) those whose live settings alone changed, starts added ones.
   * Plugins are set up again only when their list or options changed; pidDir and logDir stay.
   */
  async reload(next: ResolvedConfig): Promise<ReloadReport> {
    refuseReload(this.current, next);
    const { pluginsChanged, ...report } = planReload(this.current, next);
    this.logs.supervisor.info(
      `reload: added [${report.added}] removed [${report.removed}] changed [${report.changed}] updated (kept running) [${report.updated}] unchanged [${report.unchanged}]${pluginsChanged ? ', plugins set up again' : ''}`,
    );
    // A changed service the operator had stopped stays stopped: its new settings apply at its next start.
    const resting = new Set(report.changed.filter((name) => this.controllers.get(name)?.state === 'stopped'));
    // running services that changed roll (rolling-restart.ts): each old process stops at its successor's turn
    const after = new Map(next.services.map((s) => [s.name, s]));
    const { rolled, handedOver } = reloadRolls(report.changed, (n) => this.controllers.get(n), after);
    await this.stopOnly([...report.removed, ...report.changed.filter((n) => !rolled.includes(n))]);
    if (pluginsChanged) await this.teardownPlugins?.();
    this.current = next;
    this.serviceDeps.prestartMs = next.pluginTimeouts.prestartMs;
    const kept = new Map(this.controllers);
    this.controllers.clear();
    for (const service of next.services) {
      const keep =
        [report.unchanged, report.updated].some((l) => l.includes(service.name)) || handedOver.has(service.name) ? kept.get(service.name) : undefined;
      if (keep && report.updated.includes(service.name)) keep.update(service, isProbed(service, next.plugins));
      this.controllers.set(service.name, keep ?? this.newController(service));
    }
    if (pluginsChanged) await this.setUpPlugins();
    const toStart = [...report.added, ...report.changed.filter((name) => !resting.has(name) && !rolled.includes(name))];
    if (toStart.length > 0) await this.start(toStart);
    const handOver = (n: string) => this.controllers.get(n)!.handOver(60_000, { config: after.get(n)!, probed: isProbed(after.get(n)!, next.plugins) });
    const rollOf = (n: string): RollKind => (handedOver.has(n) ? 'hand-over' : 'in-turn');
    await rollReplaced(rolled, { old: kept, start: (names) => this.start(names), rollOf, handOver, scheduler: this.scheduler });
    this.sockets.releaseIdle();
    return report;
  }

  private graph(): DependencyLists {
    return [...this.controllers.values()].map((c) => ({ name: c.name, dependsOn: Object.keys(c.config.dependsOn) }));
  }

  private async setUpPlugins(): Promise<void> {
    this.teardownPlugins = await this.runtime.start(this.config, {
      alert: (alert) => this.alert(alert),
      running: runningServices(this.controllers),
      directory: pluginDirectory({
        controllers: this.controllers,
        logs: this.logs,
        start: (names) => this.start(names),
        stopServices: (names) => this.stopServices(names),
        restartServices: (names) => this.restartServices(names),
      }),
    });
  }

  private async startOne(c: ServiceController, launched: Map<string, Deferred>): Promise<string | null> {
    await this.leftovers;
    for (const [dep, condition] of Object.entries(c.config.dependsOn)) {
      const d = this.controllers.get(dep)!;
      await launched.get(dep)?.promise;
      const peers = d.config.replica ? [...this.controllers.values()].filter((p) => p.config.group === d.config.group) : [d]; // any replica will do
      if (!(await oneMeets(peers, condition))) {
        const why = `dependency ${d.config.replica ? `${d.config.group} (every replica)` : dep} is ${d.state}`;
        this.logs.startup.error(`${c.name}: not started: ${why}`);
        return why;
      }
    }
    if (this.stopping) return 'zmart is stopping';
    const start = c.start();
    launched.get(c.name)?.resolve();
    await start;
    await c.until(() => c.ready || settled(c.state));
    if (c.ready) {
      this.logs.startup.info(`${c.name}: up (pid ${c.snapshot().pid})`);
      return null;
    }
    const exit = c.snapshot().lastExit;
    return `${c.state}${exit ? ` (last exit: ${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`})` : ''}`;
  }

  private newController(service: ResolvedService): ServiceController {
    return new ServiceController(service, this.serviceDeps, isProbed(service, this.current.plugins));
  }

  private async shutdown(reason: string): Promise<void> {
    if (!this.claimed) return; // never started, or refused: nothing here is ours to stop
    this.logs.shutdown.info(`zmart ${process.pid} stopping: ${reason}`);
    void this.hooks.emit('supervisor:stop', { reason });
    await this.leftovers;
    await this.stopServices([...this.controllers.keys()]);
    await this.teardownPlugins?.();
    this.teardownPlugins = null;
    this.logCheck?.cancel();
    await this.http.close();
    const log = (m: string) => this.logs.shutdown.error(m);
    bestEffort('remove monitor.pid', () => this.pids.remove('monitor', process.pid), log);
    bestEffort('release the supervisor lock', this.releaseLock, log);
    this.logs.shutdown.info(`zmart ${process.pid} stopped`);
  }
}
