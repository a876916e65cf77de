import type { MonitorDefaults, PluginTimeouts, ResolvedService } from './config/types.js';
import type { Clock, FileWatcher, HttpClient, Logs, PluginProcesses, Scheduler, SystemInfo } from './di/contracts.js';
import { errorText } from './errors.js';
import { formatDuration } from './format.js';
import type { HookBus } from './hook-bus.js';
import type { PluginContext, PluginInstance, Teardown } from './plugin.js';
import { withDeadline } from './plugin-guard/deadline.js';
import { LineQueue } from './plugin-guard/line-queue.js';
import { PluginScheduler } from './plugin-guard/plugin-scheduler.js';
import type { PluginWatch } from './plugin-guard/plugin-watch.js';
import type { OperatorSignal } from './service/signals.js';
import type { Alert, Health, ProbeFailures, RestartReason, ServiceSnapshot } from './service/types.js';

/** What plugins may read and ask of the services: the supervisor, or the test harness's fakes. */
export interface ServiceDirectory {
  snapshots(): ServiceSnapshot[];
  /** One service's picture, without taking every other's. */
  snapshot(name: string): ServiceSnapshot | undefined;
  /** The services' names, in the order of `snapshots()`. */
  names(): string[];
  config(name: string): ResolvedService | undefined;
  requestRestart(name: string, reason: RestartReason): void;
  reportHealth(name: string, health: Health, by: string, detail?: string): void;
  reportReady(name: string): void;
  reportMetrics(name: string, metrics: Record<string, number | string | null>): void;
  /** A probing plugin's count of failures in a row (0 once one passes). */
  reportProbeFailures(name: string, failures: ProbeFailures): void;
  /** The operator's commands on one service, as `zmart start|stop|restart NAME` runs them. */
  operate(action: 'start' | 'stop' | 'restart', name: string): Promise<void>;
  /** `zmart signal NAME SIGNAL` to the main process, `by` the asking plugin; throws without a process. */
  signal(name: string, signal: OperatorSignal, by: string): void;
}

export interface PluginHostDeps {
  hooks: HookBus;
  clock: Clock;
  scheduler: Scheduler;
  logs: Logs;
  directory: ServiceDirectory;
  alert: (alert: Alert) => void;
  monitor: MonitorDefaults;
  http: HttpClient;
  system: SystemInfo;
  files: FileWatcher;
  /** Core's process questions; `terminate` is logged with the asking plugin's name. */
  processes: (plugin: string) => PluginProcesses;
  /** The stall watchdog and the plugins' table (`status` shows it). */
  watch: PluginWatch;
  timeouts: PluginTimeouts;
}

/** Lines a following plugin may fall behind before it loses the newest. */
export const FOLLOW_CAPACITY = 1000;

/** True when an enabled plugin reports health for this service (it sets the plugin's key). */
export function isProbed(service: ResolvedService, plugins: PluginInstance[]): boolean {
  return plugins.some((p) => p.enabled && p.definition.reportsHealth && p.definition.service && p.definition.service.key in service.options);
}

/**
 * One plugin's side of the boundary: its timers, its log follows and watches, and whether it
 * may still act. A plugin set aside (setup too slow) or torn down keeps none of them.
 */
class Guard {
  live = true;
  readonly scheduler: PluginScheduler;
  private readonly closers = new Set<() => void>();

  constructor(
    readonly name: string,
    private readonly deps: PluginHostDeps,
  ) {
    this.scheduler = new PluginScheduler(name, deps.scheduler, deps.watch, (error, where) => this.report(error, where));
  }

  /** A throw from the plugin's code, caught at the boundary: logged naming the plugin, nothing else stops. */
  report(error: unknown, where: string): void {
    this.deps.logs.supervisor.error(`plugin ${this.name}: ${where} threw: ${errorText(error)}`);
  }

  /** Keeps something to close when the plugin goes; returns the function that closes it now. */
  keep(close: () => void): () => void {
    const once = () => {
      if (this.closers.delete(once)) close();
    };
    this.closers.add(once);
    return once;
  }

  /** Takes everything of the plugin out of the supervisor: hooks, timers, follows, and its right to act. */
  remove(): void {
    this.live = false;
    this.deps.hooks.removeOwner(this.name);
    this.scheduler.cancelAll();
    for (const close of [...this.closers]) close();
  }
}

/** Builds the `ctx` a plugin's setup receives: the only door from a plugin into zmart. */
function createContext(plugin: PluginInstance, deps: PluginHostDeps, guard: Guard): PluginContext<any, any> {
  const { name, definition } = plugin;
  const logger = deps.logs.forPlugin(name);
  const known = (service: string) => deps.directory.config(service) !== undefined;
  /** A plugin set aside or torn down acts no more (a late timer of its own, a promise that resolved late). */
  const acting = (what: string) => {
    if (!guard.live) logger.debug(`${what} ignored: plugin ${name} is no longer running`);
    return guard.live;
  };
  const tail = (service: string, lines: number) => (known(service) ? deps.logs.tail(service, lines) : []);
  return {
    name,
    options: { ...definition.defaults, ...plugin.given },
    monitor: deps.monitor,
    clock: deps.clock,
    scheduler: guard.scheduler,
    logger,
    http: deps.http,
    system: deps.system,
    files: {
      watch: (paths, options, onChange) => {
        const watch = deps.files.watch(paths, options, (path) => {
          if (!guard.live) return;
          try {
            deps.watch.time(name, 'file change', () => onChange(path));
          } catch (error) {
            guard.report(error, 'file change');
          }
        });
        const close = guard.keep(() => void watch.close().catch(() => undefined));
        return { missing: watch.missing, close: async () => close() };
      },
    },
    processes: deps.processes(name),
    logFiles: {
      setRotation: (policy) => deps.logs.setRotation(policy),
      rotateIfDue: () => deps.logs.rotateIfDue(),
      counters: () => deps.logs.counters(),
      tail,
    },
    logs: {
      follow: (service, handler) => {
        if (!known(service)) {
          logger.warn(`follow asked for unknown service '${service}'`);
          return () => undefined;
        }
        const queue = new LineQueue(handler, {
          owner: name,
          watch: deps.watch,
          scheduler: deps.scheduler,
          capacity: FOLLOW_CAPACITY,
          deadlineMs: deps.timeouts.teardownMs,
          report: (error, where) => guard.report(error, where),
        });
        const unfollow = deps.logs.follow(service, (line) => queue.push(line));
        return guard.keep(() => {
          unfollow();
          queue.close();
        });
      },
      tail,
    },
    on: (hook, handler) => deps.hooks.on(hook, handler, name),
    services: () => deps.directory.snapshots(),
    service: (service) => deps.directory.snapshot(service),
    serviceNames: () => deps.directory.names(),
    serviceConfig: (service) => deps.directory.config(service),
    serviceOptions: (service) => {
      const key = definition.service?.key;
      return key ? deps.directory.config(service)?.options[key] : undefined;
    },
    restart: (service, reason) => {
      if (!acting(`restart of ${service}`)) return;
      if (!known(service)) return logger.warn(`restart asked for unknown service '${service}'`);
      deps.directory.requestRestart(service, { ...reason, by: name });
    },
    alert: (alert) => {
      if (acting('alert')) deps.alert(alert);
    },
    reportHealth: (service, health, detail) => {
      if (!acting(`health of ${service}`)) return;
      if (!definition.reportsHealth) return logger.warn(`reportHealth ignored: plugin is not declared with reportsHealth`);
      if (!known(service)) return logger.warn(`health reported for unknown service '${service}'`);
      deps.directory.reportHealth(service, health, name, detail);
    },
    reportReady: (service) => {
      if (!acting(`readiness of ${service}`)) return;
      if (!definition.reportsHealth) return logger.warn(`reportReady ignored: plugin is not declared with reportsHealth`);
      if (!known(service)) return logger.warn(`readiness reported for unknown service '${service}'`);
      deps.directory.reportReady(service);
    },
    reportMetrics: (service, metrics) => {
      if (!acting(`metrics of ${service}`)) return;
      if (!known(service)) return logger.warn(`metrics reported for unknown service '${service}'`);
      deps.directory.reportMetrics(service, metrics);
    },
    operate: async (action, service) => {
      if (!known(service)) throw new Error(`no service named '${service}'`);
      if (!acting(`${action} of ${service}`)) return;
      logger.info(`${action} ${service} (asked through ${name})`);
      await deps.directory.operate(action, service);
    },
    signal: (service, signal) => {
      if (!known(service)) throw new Error(`no service named '${service}'`);
      if (!acting(`${signal} to ${service}`)) return;
      deps.directory.signal(service, signal, name);
    },
    reportProbe: (service, probe) => {
      if (!acting(`probe of ${service}`)) return;
      if (!known(service)) return logger.warn(`probe reported for unknown service '${service}'`);
      const { ok, durationMs, failures, threshold } = probe;
      void deps.hooks.emit('service:probe', { service, ok, durationMs, by: name, failures, threshold });
      if (failures !== undefined) deps.directory.reportProbeFailures(service, { count: failures, threshold: threshold ?? null, by: name });
    },
  };
}

/**
 * Sets up every enabled plugin in order, each within `timeouts.setupMs`. A plugin whose setup
 * throws, or is still running at the deadline, is set aside (hooks, timers and follows
 * removed; `failed` in status with why; an alert) and the others run. Returns the teardown of
 * them all (reverse order), all within `timeouts.teardownMs`: one still running then is abandoned.
 */
export async function startPlugins(plugins: PluginInstance[], deps: PluginHostDeps): Promise<() => Promise<void>> {
  const started: Array<{ guard: Guard; teardown: Teardown | undefined }> = [];
  const { setupMs } = deps.timeouts;
  for (const plugin of plugins) {
    const { name } = plugin;
    if (!plugin.enabled) {
      deps.watch.add(name, 'disabled');
      deps.logs.supervisor.info(`plugin ${name}: disabled`);
      continue;
    }
    deps.watch.add(name, 'starting');
    const guard = new Guard(name, deps);
    const setAside = (why: string, kind: string) => {
      guard.remove();
      deps.watch.setState(name, 'failed', why);
      deps.logs.supervisor.error(`plugin ${name}: ${why}; plugin set aside, the fleet runs without it`);
      deps.alert({ level: 'warning', kind, message: `plugin ${name} set aside: ${why}` });
    };
    let setup: Promise<Teardown | undefined>;
    try {
      const returned = deps.watch.time(name, 'setup', () => plugin.definition.setup(createContext(plugin, deps, guard)));
      setup = Promise.resolve(returned).then((teardown) => teardown ?? undefined);
    } catch (error) {
      setAside(`setup failed: ${errorText(error)}`, 'plugin-error');
      continue;
    }
    try {
      const outcome = await withDeadline(setup, setupMs, deps.scheduler);
      if (outcome.settled) {
        deps.watch.setState(name, 'running');
        started.push({ guard, teardown: outcome.value ?? undefined });
        deps.logs.supervisor.debug(`plugin ${name}: set up`);
        continue;
      }
    } catch (error) {
      setAside(`setup failed: ${errorText(error)}`, 'plugin-error');
      continue;
    }
    setAside(`setup did not finish within ${formatDuration(setupMs)} (pluginTimeouts.setup)`, 'plugin-timeout');
    // Should it finish after all, what it set up is undone.
    setup.then(
      (teardown) => {
        if (typeof teardown === 'function') void runTeardown(name, teardown, deps, deps.timeouts.teardownMs);
      },
      () => undefined,
    );
  }
  return async () => {
    // One budget for every teardown together: a stop waits `teardownMs` for the plugins at most.
    const end = deps.clock.now() + deps.timeouts.teardownMs;
    for (const { guard, teardown } of started.reverse()) {
      deps.hooks.removeOwner(guard.name);
      if (teardown) await runTeardown(guard.name, teardown, deps, Math.max(0, end - deps.clock.now()));
      guard.remove();
    }
  };
}

/** One plugin's teardown, within `ms`; a throw or the deadline is logged, never waited past. */
async function runTeardown(name: string, teardown: Teardown, deps: PluginHostDeps, ms: number): Promise<void> {
  const teardownMs = deps.timeouts.teardownMs;
  try {
    const returned = deps.watch.time(name, 'teardown', teardown);
    const outcome = await withDeadline(Promise.resolve(returned), ms, deps.scheduler);
    if (outcome.settled) return;
    deps.logs.supervisor.error(`plugin ${name}: teardown did not finish within ${formatDuration(teardownMs)} (pluginTimeouts.teardown): abandoned`);
    deps.alert({ level: 'warning', kind: 'plugin-timeout', message: `plugin ${name}: teardown abandoned after ${formatDuration(teardownMs)}` });
  } catch (error) {
    deps.logs.supervisor.error(`plugin ${name}: teardown failed: ${errorText(error)}`);
  }
}
