import { resolveConfig } from '../config/resolve.js';
import type { ResolvedService, ServiceConfigInput } from '../config/types.js';
import { HookBus } from '../hook-bus.js';
import type { HookMap, HookName } from '../hooks.js';
import type { PluginInstance } from '../plugin.js';
import type { RotationPolicy } from '../di/contracts.js';
import { isProbed, startPlugins } from '../plugin-host.js';
import type { Alert, Health, RestartReason, ServiceSnapshot } from '../service/types.js';
import type { Duration } from '../units.js';
import { FakeClock } from './fake-clock.js';
import { FakeHttpClient } from './fake-http.js';
import { FakeProcesses } from './fake-processes.js';
import { FakeFiles } from './fake-files.js';
import { FakeSystem } from './fake-system.js';
import { MemoryLogs, type LogRecord } from './memory-logs.js';

export interface HarnessOptions {
  /** Services as in zmart.config.ts (validated the same way, plugin options included). */
  services: Record<string, ServiceConfigInput>;
  monitor?: { interval?: Duration; timeout?: Duration };
  /** Epoch ms the fake clock starts at. */
  now?: number;
  /** zmart's folders as plugins see them (`ctx.system.folders`); default: paths nothing writes to. */
  folders?: { logDir: string; pidDir: string };
}

export interface PluginHarness {
  readonly clock: FakeClock;
  /** Set `http.answer = (url) => ...` to script what probes get. */
  readonly http: FakeHttpClient;
  /** Declare listeners, trees, owners and usage; read `processes.terminated`. */
  readonly processes: FakeProcesses;
  /** Set available memory and disks. */
  readonly system: FakeSystem;
  /** What the plugin watches; `files.change(path)` plays a change on disk. */
  readonly files: FakeFiles;
  /** Restart requests the plugin made, in order. */
  readonly restarts: Array<{ service: string; reason: RestartReason }>;
  readonly alerts: Alert[];
  readonly healthReports: Array<{ service: string; health: Health; detail?: string }>;
  /** Services the plugin said passed their `ready` check, in order. */
  readonly readyReports: string[];
  /** What the plugin asked through `ctx.operate`, in order. */
  readonly operations: Array<{ action: 'start' | 'stop' | 'restart'; service: string }>;
  /** What the plugin (and the harness) logged. */
  readonly logs: LogRecord[];
  /** The log rotation policy the plugin set, and how often it asked for due rotations. */
  logFiles(): { rotation: RotationPolicy | null; rotationChecks: number };
  /** Metrics the plugin published, by service. */
  metrics(service: string): Record<string, number | string | null>;
  /** Emits a hook as core would, and waits for the plugin's handlers to finish. */
  emit<K extends HookName>(hook: K, payload: HookMap[K]): Promise<void>;
  /** Advances the fake clock, firing the plugin's scheduled work. */
  advance(ms: number): Promise<void>;
  service(name: string): ServiceSnapshot;
  config(name: string): ResolvedService;
  /** Changes what the plugin sees of a service (state, pid, health...). */
  setService(name: string, patch: Partial<ServiceSnapshot>): void;
  teardown(): Promise<void>;
}

/**
 * Runs ONE plugin in isolation: its options and per-service options are validated as in
 * production, services are fakes (running, pids 1001...), time is a FakeClock, and every
 * action the plugin asks for is recorded instead of carried out.
 */
export async function createPluginHarness(plugin: PluginInstance, options: HarnessOptions): Promise<PluginHarness> {
  const config = resolveConfig({ services: options.services, monitor: options.monitor, plugins: [plugin] }, { file: null, env: {} });
  const clock = new FakeClock(options.now);
  const logs = new MemoryLogs();
  const hooks = new HookBus((error, { hook, owner }) => {
    logs.supervisor.error(`plugin ${owner}: handler for ${hook} threw: ${error instanceof Error ? error.message : String(error)}`);
  });
  const snapshots = new Map<string, ServiceSnapshot>(
    config.services.map((s, i) => [
      s.name,
      {
        name: s.name,
        title: s.title,
        state: 'running',
        health: isProbed(s, config.plugins) ? 'unknown' : null,
        ready: !isProbed(s, config.plugins),
        pid: 1001 + i,
        port: s.port,
        command: s.commandText,
        startedAt: clock.now(),
        restarts: 0,
        lastRestart: null,
        lastExit: null,
        lastError: null,
        nextRestartAt: null,
        metrics: {},
      } satisfies ServiceSnapshot,
    ]),
  );
  const http = new FakeHttpClient(clock);
  const processes = new FakeProcesses();
  const system = new FakeSystem();
  if (options.folders) Object.assign(system.folders, options.folders);
  const files = new FakeFiles();
  const restarts: PluginHarness['restarts'] = [];
  const alerts: Alert[] = [];
  const healthReports: PluginHarness['healthReports'] = [];
  const readyReports: string[] = [];
  const operations: PluginHarness['operations'] = [];
  const byName = (name: string) => {
    const s = snapshots.get(name);
    if (!s) throw new Error(`harness: no service named '${name}'`);
    return s;
  };

  const teardown = await startPlugins(config.plugins, {
    hooks,
    clock,
    scheduler: clock,
    logs,
    monitor: config.monitor,
    http,
    system,
    files,
    processes: () => processes,
    alert: (alert) => alerts.push(alert),
    directory: {
      snapshots: () => [...snapshots.values()].map((s) => ({ ...s })),
      snapshot: (name) => {
        const found = snapshots.get(name);
        return found && { ...found };
      },
      names: () => [...snapshots.keys()],
      config: (name) => config.services.find((s) => s.name === name),
      requestRestart: (service, reason) => restarts.push({ service, reason }),
      reportHealth: (service, health, detail) => {
        healthReports.push({ service, health, detail });
        byName(service).health = health;
      },
      reportReady: (service) => {
        readyReports.push(service);
        byName(service).ready = true;
      },
      reportMetrics: (service, metrics) => {
        byName(service).metrics = { ...byName(service).metrics, ...metrics };
      },
      operate: async (action, service) => {
        operations.push({ action, service });
      },
    },
  });

  return {
    clock,
    http,
    processes,
    system,
    files,
    metrics: (name) => ({ ...byName(name).metrics }),
    logFiles: () => ({ rotation: logs.rotation, rotationChecks: logs.rotationChecks }),
    restarts,
    alerts,
    healthReports,
    readyReports,
    operations,
    logs: logs.records,
    emit: (hook, payload) => hooks.emit(hook, payload),
    advance: (ms) => clock.advance(ms),
    service: (name) => ({ ...byName(name) }),
    config: (name) => {
      const found = config.services.find((s) => s.name === name);
      if (!found) throw new Error(`harness: no service named '${name}'`);
      return found;
    },
    setService: (name, patch) => Object.assign(byName(name), patch),
    teardown,
  };
}
