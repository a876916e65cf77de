import { resolveConfig } from '../config/resolve.js';
import type { ResolvedService, ServiceConfigInput } from '../config/types.js';
import type { HookMap, HookName } from '../hooks.js';
import type { PluginInstance } from '../plugin.js';
import { createContainer } from '../composition-root.js';
import type { PluginProcessesFactory, RotationPolicy } from '../di/contracts.js';
import { TOKENS } from '../di/tokens.js';
import { isProbed } from '../plugin-host.js';
import type { PluginStatus } from '../plugin-guard/plugin-watch.js';
import { PluginRuntime } from '../plugin-runtime.js';
import { runPrestart } from '../service/prestart.js';
import { announceStart } from '../plugin-guard/supervisor-start.js';
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
  /** Deadlines for the plugin's setup, prestart and teardown, as config `pluginTimeouts` (defaults 10s, 10s, 5s). */
  pluginTimeouts?: { setup?: Duration; prestart?: Duration; teardown?: Duration };
  /** Paths (absolute) the fake disk lacks when the plugin is set up: a watch on one reports it missing. */
  absentPaths?: string[];
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
  /** The signals the plugin sent through `ctx.signal`, in order. */
  readonly signals: Array<{ service: string; signal: string }>;
  /** What the plugin (and the harness) logged. */
  readonly logs: LogRecord[];
  /** The log rotation policy the plugin set, and how often it asked for due rotations. */
  logFiles(): { rotation: RotationPolicy | null; rotationChecks: number };
  /** Metrics the plugin published, by service. */
  metrics(service: string): Record<string, number | string | null>;
  /**
   * Emits a hook as core would, and waits for the plugin's handlers to finish; `supervisor:start`
   * with its deadline (the fake clock is moved to it when a handler has not finished).
   */
  emit<K extends HookName>(hook: K, payload: HookMap[K]): Promise<void>;
  /**
   * Runs `service:prestart` as core does, with its deadline (the fake clock is moved to it when
   * a handler has not finished): the refusal (the plugin's own, or kind `plugin` for a
   * handler past its deadline), or null when the service may start.
   */
  prestart(service: string, attempt?: number): Promise<RestartReason | null>;
  /** Lines the service prints (its log): `ctx.logs.tail` reads them, `ctx.logs.follow` handlers get them. */
  logLine(service: string, text: string | string[], stream?: 'out' | 'err'): Promise<void>;
  /** The plugin as `zmart status --json` shows it: state (`failed` with why), slowest call, time held. */
  plugin(): PluginStatus;
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
  const config = resolveConfig(
    { services: options.services, monitor: options.monitor, pluginTimeouts: options.pluginTimeouts, plugins: [plugin] },
    { file: null, env: {} },
  );
  const clock = new FakeClock(options.now);
  const logs = new MemoryLogs();
  const snapshots = new Map<string, ServiceSnapshot>(
    config.services.map((s, i) => [
      s.name,
      {
        name: s.name,
        title: s.title,
        state: 'running',
        health: isProbed(s, config.plugins) ? 'unknown' : null,
        healthBy: null,
        healthReports: [],
        ready: !isProbed(s, config.plugins),
        pid: 1001 + i,
        port: s.port,
        command: s.commandText,
        startedAt: clock.now(),
        restarts: 0,
        lastRestart: null,
        lastExit: null,
        lastStop: null,
        lastError: null,
        nextRestartAt: null,
        metrics: {},
        probeFailures: 0,
        probeFailureThreshold: null,
      } satisfies ServiceSnapshot,
    ]),
  );
  const http = new FakeHttpClient(clock);
  const processes = new FakeProcesses();
  const system = new FakeSystem();
  if (options.folders) Object.assign(system.folders, options.folders);
  const files = new FakeFiles();
  for (const path of options.absentPaths ?? []) files.absent.add(path);
  const restarts: PluginHarness['restarts'] = [];
  const alerts: Alert[] = [];
  const healthReports: PluginHarness['healthReports'] = [];
  const readyReports: string[] = [];
  const operations: PluginHarness['operations'] = [];
  const signals: PluginHarness['signals'] = [];
  const byName = (name: string) => {
    const s = snapshots.get(name);
    if (!s) throw new Error(`harness: no service named '${name}'`);
    return s;
  };

  // Built through the supervisor's own composition root, with the fakes registered over the real parts.
  const container = createContainer(config);
  container.registerInstance(TOKENS.Clock, clock);
  container.registerInstance(TOKENS.Scheduler, clock);
  container.registerInstance(TOKENS.Logs, logs);
  container.registerInstance(TOKENS.HttpClient, http);
  container.registerInstance(TOKENS.SystemInfo, system);
  container.registerInstance(TOKENS.FileWatcher, files);
  container.registerInstance<PluginProcessesFactory>(TOKENS.PluginProcesses, () => () => processes);
  const runtime = container.resolve(PluginRuntime);
  const { hooks, watch } = runtime;
  const starting = runtime.start(config, {
    running: { all: () => [], of: () => null },
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
      reportHealth: (service, health, by, detail) => {
        healthReports.push({ service, health, detail });
        Object.assign(byName(service), { health, healthBy: by });
      },
      reportReady: (service) => {
        readyReports.push(service);
        byName(service).ready = true;
      },
      reportMetrics: (service, metrics) => {
        byName(service).metrics = { ...byName(service).metrics, ...metrics };
      },
      reportProbeFailures: (service, { count, threshold }) => void Object.assign(byName(service), { probeFailures: count, probeFailureThreshold: threshold }),
      operate: async (action, service) => {
        operations.push({ action, service });
      },
      signal: (service, signal) => void signals.push({ service, signal }),
    },
  });

  const teardown = await untilSettled(starting, clock, config.pluginTimeouts.setupMs);
  const name = plugin.name;

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
    signals,
    logs: logs.records,
    emit: async (hook, payload) => {
      // The awaited hook runs as the supervisor runs it: with its deadline, a late handler logged and alerted.
      if (hook !== 'supervisor:start') return hooks.emit(hook, payload);
      const setupMs = config.pluginTimeouts.setupMs;
      const deps = { hooks, scheduler: clock, setupMs, logs, alert: (alert: Alert) => alerts.push(alert) };
      await untilSettled(announceStart(deps, payload as HookMap['supervisor:start']), clock, setupMs);
    },
    prestart: async (service, attempt = 1) => {
      const s = byName(service);
      const deps = { hooks, scheduler: clock, prestartMs: config.pluginTimeouts.prestartMs, logs, alert: (alert: Alert) => alerts.push(alert) };
      const refused = await untilSettled(runPrestart(deps, { service, port: s.port, attempt }), clock, config.pluginTimeouts.prestartMs);
      return refused === 'stopped' ? null : refused;
    },
    logLine: async (service, text, stream = 'out') => {
      byName(service);
      logs.feed(service, text, stream);
      await clock.advance(0);
    },
    plugin: () => watch.list().find((p) => p.name === name)!,
    advance: (ms) => clock.advance(ms),
    service: (name) => ({ ...byName(name) }),
    config: (name) => {
      const found = config.services.find((s) => s.name === name);
      if (!found) throw new Error(`harness: no service named '${name}'`);
      return found;
    },
    setService: (name, patch) => Object.assign(byName(name), patch),
    teardown: () => untilSettled(teardown(), clock, config.pluginTimeouts.teardownMs),
  };
}

/** How long (real time) the harness lets work with real I/O (a file written at teardown) finish before it calls it hung. */
const GRACE_MS = 500;

/**
 * Waits for work that runs against the fake clock's deadlines: when it has not settled within
 * GRACE_MS of real time (pending promises and I/O given their turns), the fake clock is moved
 * on to the deadline, which ends it either way.
 */
async function untilSettled<T>(work: Promise<T>, clock: FakeClock, deadlineMs: number): Promise<T> {
  let done = false;
  const result = work.finally(() => (done = true));
  const giveUp = Date.now() + GRACE_MS;
  while (!done && Date.now() < giveUp) await clock.advance(0);
  if (!done) await clock.advance(deadlineMs);
  return result;
}
