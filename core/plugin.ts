import type { $ZodType, input, output } from 'zod/v4/core';
import type { Clock, FileWatcher, HttpClient, Logger, PluginProcesses, RotationPolicy, Scheduler, SystemInfo } from './di/contracts.js';
import type { HookHandler, HookName } from './hooks.js';
import type { Alert, Health, RestartKind, ServiceSnapshot } from './service/types.js';
import type { MonitorDefaults, ResolvedService } from './config/types.js';
import type { LineHandler } from './plugin-guard/line-queue.js';
import type { ServiceProbes } from './probe.js';
import type { OperatorSignal } from './service/signals.js';

/** One probe as a plugin reports it (`ctx.reportProbe`). */
export interface ProbeReport {
  ok: boolean;
  durationMs: number;
  /** Failures in a row, this one included (0 when it passed), counted toward `threshold`. */
  failures?: number;
  /** Failures in a row that make the plugin call the service unhealthy (and restart it). */
  threshold?: number;
}
/** Called when the plugin is torn down (supervisor stop, reload, end of a test). */
export type Teardown = () => void | Promise<void>;

/** Everything a plugin can see and do. Plugins get nothing else: no container, no internals. */
export interface PluginContext<Options, ServiceOptions = never> {
  /** The plugin's name, as given to definePlugin. */
  readonly name: string;
  /** The plugin's defaults merged with the options given in config. */
  readonly options: Options;
  /**
   * Global monitoring defaults (config `monitor`); `forced` holds what MONITOR_INTERVAL and
   * HEALTH_CHECK_TIMEOUT set, which win over every service's own interval and timeout.
   */
  readonly monitor: MonitorDefaults;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  /** Writes to the monitor log and the supervisor log, tagged with the plugin's name. */
  readonly logger: Logger;
  /** HTTP for probes (a keep-alive pool; each probe bounded by its timeout). */
  readonly http: HttpClient;
  /** Processes and ports: who listens where, a service's tree, whose a process is; stopping one. */
  readonly processes: PluginProcesses;
  /** The machine: available memory, free disk of a folder, and zmart's own folders. */
  readonly system: SystemInfo;
  /** Watches files (recursively, without polling): `watch(paths, { cwd, ignore }, onChange)`. */
  readonly files: FileWatcher;
  /** Every log file zmart writes: how they rotate (core rotates them, between two lines). */
  readonly logFiles: {
    setRotation(policy: RotationPolicy | null): void;
    rotateIfDue(): void;
    /** Bytes written to every log and lines dropped (a full disk) since zmart started. */
    counters(): { bytesWritten: number; linesDropped: number };
    /** The last `lines` lines of a service's log (secrets already redacted when written). */
    tail(service: string, lines: number): string[];
  };
  /** A service's output, line by line. */
  readonly logs: {
    /**
     * Calls `handler` with each line the service prints (redacted, without zmart's stamp), as
     * `{ service, stream, text, lost }`, one at a time after the line is written: an async
     * handler gets the next line once its promise settles (or after `pluginTimeouts.teardown`).
     * A plugin that falls 1,000 lines behind loses the oldest it has not read, and `lost` on the
     * first line after the gap says how many; the service's pipe is never slowed. Returns the unfollow function; teardown unfollows anyway.
     */
    follow(service: string, handler: LineHandler): () => void;
    /** The last `lines` lines of the service's log. */
    tail(service: string, lines: number): string[];
  };
  /** Registers a hook handler; returns its unregister function. Removed at teardown anyway. */
  on<K extends HookName>(hook: K, handler: HookHandler<K>): () => void;
  /** Read-only pictures of every service, in dependency order. */
  services(): ServiceSnapshot[];
  service(name: string): ServiceSnapshot | undefined;
  /**
   * The services' names, in the order of `services()`: a plugin that looks at a few of them
   * (those with a port, say) each round need not picture every one.
   */
  serviceNames(): string[];
  /** A service's resolved config (command, port, cwd, env...). */
  serviceConfig(name: string): Readonly<ResolvedService> | undefined;
  /** This plugin's per-service options for `name` (its `service.key`), parsed; undefined if unset. */
  serviceOptions(name: string): ServiceOptions | undefined;
  /** Asks core to restart a service; core applies the restart policy and budget. */
  restart(service: string, reason: { kind: RestartKind; detail: string }): void;
  /** Raises an alert; the alerts plugin (if any) delivers it, the monitor log always records it. */
  alert(alert: Alert): void;
  /** Reports a service's health (only plugins declared with `reportsHealth`). */
  reportHealth(service: string, health: Health, detail?: string): void;
  /**
   * Says the running process passed its `ready` check (`ready: { path | tcp | exec }`; plugins
   * declared with `reportsHealth`): it is then ready for dependants and `zmart start`.
   */
  reportReady(service: string): void;
  /**
   * Publishes measurements shown by `zmart status` (`--json` under `metrics`), merged into what
   * the service has. Known names: responseTimeMs, responseTimeP50Ms, responseTimeP95Ms,
   * responseClass.
   */
  reportMetrics(service: string, metrics: Record<string, number | string | null>): void;
  /**
   * The operator's commands on one service (what `zmart start|stop|restart NAME` does), for
   * views with buttons; logged with the plugin's name. Resolves once it is done.
   */
  operate(action: 'start' | 'stop' | 'restart', service: string): Promise<void>;
  /**
   * The operator's `zmart signal` (HUP, TTIN...) for views with buttons: to the service's main
   * process, logged with the plugin's name; throws when it has no process to signal.
   */
  signal(service: string, signal: OperatorSignal): void;
  /**
   * Tells who listens (`service:probe`) that a probe of the service ran: passed or not, and how
   * long it took. `failures` (0 when it passed) are the failures in a row it counts toward
   * `threshold`, its restart: status shows `failing (2/3)` and `probeFailures` until one passes.
   */
  reportProbe(service: string, probe: ProbeReport): void;
}

type Schema = $ZodType;
/** What `ctx.options` holds: the options schema's output, or the defaults' type without a schema. */
export type OptionsOf<O extends Schema | undefined, D> = O extends Schema ? output<O> : D;
/** What users write in config: the options schema's input, or the defaults' type without a schema. */
export type InputOf<O extends Schema | undefined, D> = O extends Schema ? input<O> : D;
/** What `ctx.serviceOptions(name)` returns: the per-service schema's output. */
export type ServiceOf<S extends Schema | undefined> = S extends Schema ? output<S> : never;

/**
 * A plugin: its options' schema is the one source of their types (its output is what
 * `ctx.options` holds, its input what users write) and of the keys users may give.
 */
export interface PluginDefinition<
  O extends Schema | undefined = Schema | undefined,
  D extends object = object,
  S extends Schema | undefined = Schema | undefined,
> {
  name: string;
  /**
   * The options' schema (optional): a Zod 4 schema (zmart's `z`, which is zod/mini, or zod's
   * classic API) that parses the defaults merged with what the user gave.
   */
  options?: O;
  /** Merged under the user's options before they are parsed. Without a schema, these keys are the options. */
  defaults: O extends Schema ? Partial<input<O>> : D;
  /**
   * Per-service options under `services.<name>.<key>`, validated with `schema` by core;
   * `check` may refuse them given the rest of the service (say, a path without a port).
   */
  service?: {
    key: string;
    schema: NonNullable<S>;
    check?(options: ServiceOf<S>, service: { name: string; port: number | null }): string | undefined;
  };
  /** The plugin reports health for every service that sets its `service.key`. */
  reportsHealth?: boolean;
  /**
   * What the plugin probes for a service, with its settings filled in (null where it probes
   * nothing): how `zmart export` carries probes to systemd, Compose and Kubernetes without
   * reading the plugin's files. `options` are the plugin's, parsed.
   */
  describeProbes?(service: ResolvedService, options: OptionsOf<O, D>, monitor: MonitorDefaults): ServiceProbes;
  // biome-ignore lint/suspicious/noConfusingVoidType: a setup that returns nothing is the common case
  setup(ctx: PluginContext<OptionsOf<O, D>, ServiceOf<S>>): void | Teardown | Promise<void | Teardown>;
}

/** What a plugin factory returns and `plugins: [...]` holds. */
export interface PluginInstance<Options extends object = any, ServiceOptions = any> {
  readonly kind: 'zmart-plugin';
  readonly name: string;
  readonly enabled: boolean;
  /** The options as given (before defaults), or once resolved, as parsed. */
  readonly given: Partial<Options>;
  readonly definition: PluginDefinition<any, any, any>;
  /** Only for type inference: the per-service options' type. */
  readonly __service?: ServiceOptions;
}

export type PluginFactory<Options extends object, ServiceOptions = never, Input extends object = Options> = (
  options?: Partial<Input> & { enabled?: boolean },
) => PluginInstance<Options, ServiceOptions>;

/**
 * Declares a plugin. Returns a factory that users call in config with their options;
 * `enabled: false` turns the plugin off and keeps its settings.
 */
export function definePlugin<O extends Schema | undefined = undefined, D extends object = object, S extends Schema | undefined = undefined>(
  definition: PluginDefinition<O, D, S>,
): PluginFactory<OptionsOf<O, D> & object, ServiceOf<S>, InputOf<O, D> & object> {
  if (!definition.name || !/^[a-z0-9][a-z0-9-]*$/.test(definition.name)) {
    throw new TypeError(`definePlugin: name must be kebab-case (a-z, 0-9, -), got ${JSON.stringify(definition.name)}`);
  }
  if (typeof definition.setup !== 'function') {
    throw new TypeError(`definePlugin(${definition.name}): setup must be a function`);
  }
  return (options = {}) => {
    const { enabled = true, ...given } = options as { enabled?: boolean };
    return Object.freeze({
      kind: 'zmart-plugin' as const,
      name: definition.name,
      enabled,
      given: given as Partial<OptionsOf<O, D> & object>,
      definition: definition as PluginDefinition<any, any, any>,
    });
  };
}

export function isPluginInstance(value: unknown): value is PluginInstance {
  return typeof value === 'object' && value !== null && (value as PluginInstance).kind === 'zmart-plugin';
}
