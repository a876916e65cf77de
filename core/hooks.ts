import type { Alert, Health, RestartKind, RestartReason, ServiceState } from './service/types.js';

/**
 * Every lifecycle hook zmart emits, with its payload. This is the one list: a new hook
 * is a line here plus its emit site. Names read `namespace:event`.
 *
 * Two hooks are AWAITED (see `AWAITED_HOOKS`): the supervisor waits for their handlers, each
 * for a deadline at most (config `pluginTimeouts`); a handler still running at its deadline
 * is left behind, logged and alerted, naming the plugin. Every other hook is fire-and-forget:
 * the supervisor goes on at once and a handler's promise is only caught.
 */
export interface HookMap {
  /**
   * AWAITED (deadline `pluginTimeouts.setup`, 10 s). The supervisor has loaded its config and
   * is about to start services.
   */
  'supervisor:start': { services: string[]; configPath: string | null };
  /** Every service asked for has come up (running, and healthy where probed) or failed to. */
  'supervisor:ready': { up: string[]; down: string[] };
  /** The supervisor is stopping every service and will exit. */
  'supervisor:stop': { reason: string };
  /** A service moved from one state to another; fired for every move. */
  'service:state': { service: string; from: ServiceState; to: ServiceState };
  /**
   * AWAITED (deadline `pluginTimeouts.prestart`, 10 s). The service is about to be spawned.
   * Handlers may take their time (free a port, wait for it) and may call `refuse(detail)`: the
   * service is then not started and becomes `failed`, reason kind `plugin` (or the `kind`
   * given) by the refusing plugin. A handler past the deadline fails the service the same way.
   */
  'service:prestart': { service: string; port: number | null; attempt: number; refuse(detail: string, kind?: RestartKind): void };
  /** A process was spawned for the service (its pid file is written). */
  'service:spawn': { service: string; pid: number; command: string; attempt: number };
  /** The service's process is up: state `running`. */
  'service:started': { service: string; pid: number };
  /** The service is ready for dependants: running, and healthy when a plugin probes it. */
  'service:ready': { service: string; pid: number };
  /**
   * The service's process ended; `expected` is true when zmart stopped it. `handOver` is true for
   * a process of a hand-over (see `zmart restart`): the old one its successor took over from, or a
   * successor that did not get ready. The service runs on in the other, so a plugin that stops
   * watching at an exit keeps watching.
   */
  'service:exit': {
    service: string;
    pid: number;
    code: number | null;
    signal: string | null;
    expected: boolean;
    handOver?: boolean;
    uptimeMs: number;
  };
  /** A plugin probed the service (every probe, passed or not): what the metrics view measures. */
  'service:probe': { service: string; ok: boolean; durationMs: number; by: string; failures?: number; threshold?: number };
  /**
   * The service's health changed: the worst of what its reporters last said (unhealthy > slow
   * > unknown > healthy), `by` the plugin that said it ('core' when a stop or exit reset it).
   */
  'service:health': { service: string; health: Health; previous: Health | null; detail?: string; by?: string };
  /** Core decided to restart the service after `delayMs`. */
  'service:restart': { service: string; reason: RestartReason; attempt: number; delayMs: number };
  /**
   * The operator acted on the service (`zmart restart`, `zmart signal`, or a view's button
   * through `ctx.operate`): `by` who, `detail` what (the signal's name).
   */
  'service:operator': { service: string; action: 'restart' | 'signal'; by: string; detail?: string };
  /** The restart budget is spent: the service stays down until the operator restarts it. */
  'service:failed': { service: string; reason: RestartReason; restarts: number };
  /** zmart is stopping the service (operator stop, restart or shutdown). */
  'service:stopping': { service: string; pid: number; signal: string };
  /** The service's process tree is gone after a stop. */
  'service:stopped': { service: string; forced: boolean };
  /** A log file was rotated (and compressed and pruned as the policy says). */
  'log:rotated': { file: string; rotatedTo: string };
  /** Core or a plugin raised an alert. */
  alert: Alert & { at: string };
}

export type HookName = keyof HookMap;

/** The hooks the supervisor waits for (with a deadline); every other hook is fire-and-forget. */
export const AWAITED_HOOKS = ['supervisor:start', 'service:prestart'] as const satisfies readonly HookName[];
export type AwaitedHook = (typeof AWAITED_HOOKS)[number];
export type HookHandler<K extends HookName> = (payload: HookMap[K]) => void | Promise<void>;
