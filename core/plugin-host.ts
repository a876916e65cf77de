import { join } from 'node:path';
import type { MonitorDefaults, ResolvedService } from './config/types.js';
import { serviceLogFile } from './logging/file-logs.js';
import { tailLines } from './logging/tail.js';
import type { Clock, FileWatcher, HttpClient, Logs, PluginProcesses, Scheduler, SystemInfo } from './di/contracts.js';
import type { HookBus } from './hook-bus.js';
import type { PluginContext, PluginInstance, Teardown } from './plugin.js';
import type { Alert, Health, RestartReason, ServiceSnapshot } from './service/types.js';

/** What plugins may read and ask of the services: the supervisor, or the test harness's fakes. */
export interface ServiceDirectory {
  snapshots(): ServiceSnapshot[];
  /** One service's picture, without taking every other's. */
  snapshot(name: string): ServiceSnapshot | undefined;
  /** The services' names, in the order of `snapshots()`. */
  names(): string[];
  config(name: string): ResolvedService | undefined;
  requestRestart(name: string, reason: RestartReason): void;
  reportHealth(name: string, health: Health, detail?: string): void;
  reportReady(name: string): void;
  reportMetrics(name: string, metrics: Record<string, number | string | null>): void;
  /** The operator's commands on one service, as `zmart start|stop|restart NAME` runs them. */
  operate(action: 'start' | 'stop' | 'restart', name: string): Promise<void>;
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
}

/** True when an enabled plugin reports health for this service (it sets the plugin's key). */
export function isProbed(service: ResolvedService, plugins: PluginInstance[]): boolean {
  return plugins.some((p) => p.enabled && p.definition.reportsHealth && p.definition.service && p.definition.service.key in service.options);
}

/** Builds the `ctx` a plugin's setup receives: the only door from a plugin into zmart. */
export function createContext(plugin: PluginInstance, deps: PluginHostDeps): PluginContext<any, any> {
  const { name, definition } = plugin;
  const logger = deps.logs.forPlugin(name);
  const known = (service: string) => deps.directory.config(service) !== undefined;
  return {
    name,
    options: { ...definition.defaults, ...plugin.given },
    monitor: deps.monitor,
    clock: deps.clock,
    scheduler: deps.scheduler,
    logger,
    http: deps.http,
    system: deps.system,
    files: deps.files,
    processes: deps.processes(name),
    logFiles: {
      setRotation: (policy) => deps.logs.setRotation(policy),
      rotateIfDue: () => deps.logs.rotateIfDue(),
      counters: () => deps.logs.counters(),
      tail: (service, lines) => (known(service) ? tailLines(join(deps.system.folders.logDir, serviceLogFile(service)), lines) : []),
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
      if (!known(service)) return logger.warn(`restart asked for unknown service '${service}'`);
      deps.directory.requestRestart(service, { ...reason, by: name });
    },
    alert: (alert) => deps.alert(alert),
    reportHealth: (service, health, detail) => {
      if (!definition.reportsHealth) return logger.warn(`reportHealth ignored: plugin is not declared with reportsHealth`);
      if (!known(service)) return logger.warn(`health reported for unknown service '${service}'`);
      deps.directory.reportHealth(service, health, detail);
    },
    reportReady: (service) => {
      if (!definition.reportsHealth) return logger.warn(`reportReady ignored: plugin is not declared with reportsHealth`);
      if (!known(service)) return logger.warn(`readiness reported for unknown service '${service}'`);
      deps.directory.reportReady(service);
    },
    reportMetrics: (service, metrics) => {
      if (!known(service)) return logger.warn(`metrics reported for unknown service '${service}'`);
      deps.directory.reportMetrics(service, metrics);
    },
    operate: async (action, service) => {
      if (!known(service)) throw new Error(`no service named '${service}'`);
      logger.info(`${action} ${service} (asked through ${name})`);
      await deps.directory.operate(action, service);
    },
    reportProbe: (service, probe) => {
      if (!known(service)) return logger.warn(`probe reported for unknown service '${service}'`);
      void deps.hooks.emit('service:probe', { service, ok: probe.ok, durationMs: probe.durationMs, by: name });
    },
  };
}

/**
 * Sets up every enabled plugin in order. A plugin whose setup throws is logged with its
 * name and left out; the others run. Returns the teardown of them all (reverse order).
 */
export async function startPlugins(plugins: PluginInstance[], deps: PluginHostDeps): Promise<() => Promise<void>> {
  const teardowns: Array<{ name: string; teardown: Teardown | undefined }> = [];
  for (const plugin of plugins) {
    if (!plugin.enabled) {
      deps.logs.supervisor.info(`plugin ${plugin.name}: disabled`);
      continue;
    }
    try {
      const teardown = await plugin.definition.setup(createContext(plugin, deps));
      teardowns.push({ name: plugin.name, teardown: teardown ?? undefined });
      deps.logs.supervisor.debug(`plugin ${plugin.name}: set up`);
    } catch (error) {
      deps.hooks.removeOwner(plugin.name);
      deps.logs.supervisor.error(`plugin ${plugin.name}: setup failed, plugin disabled: ${errorText(error)}`);
      deps.alert({ level: 'warning', kind: 'plugin-error', message: `plugin ${plugin.name} failed to set up: ${errorText(error)}` });
    }
  }
  return async () => {
    for (const { name, teardown } of teardowns.reverse()) {
      deps.hooks.removeOwner(name);
      try {
        await teardown?.();
      } catch (error) {
        deps.logs.supervisor.error(`plugin ${name}: teardown failed: ${errorText(error)}`);
      }
    }
  };
}

export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
