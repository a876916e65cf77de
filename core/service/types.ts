/** Where a service is in its life. See `core/service/state-machine.ts` for the allowed moves. */
export type ServiceState = 'stopped' | 'starting' | 'running' | 'backoff' | 'stopping' | 'exited' | 'failed';

/** Health as reported by a plugin that probes the service; `null` when nothing probes it. */
export type Health = 'unknown' | 'healthy' | 'unhealthy' | 'slow';

/** Every reason a restart (or a refused start) can have. */
export const RESTART_KINDS = ['exit', 'unhealthy', 'slow', 'memory', 'port', 'manual', 'schedule', 'watch', 'plugin'] as const;

export type RestartKind = (typeof RESTART_KINDS)[number];

/** Why a service is (to be) restarted: data, not a string. */
export interface RestartReason {
  kind: RestartKind;
  /** Who asked: 'core' for a process exit, a plugin's name, or 'operator'. */
  by: string;
  /** Human words: 'exited with code 1', 'RSS 1.2 GB > 1 GB for 3 samples'. */
  detail: string;
}

export interface LastRestart extends RestartReason {
  /** ISO time of the restart decision. */
  at: string;
}

export type AlertLevel = 'info' | 'warning' | 'critical';

/** An alert raised by core or a plugin; sinks (the alerts plugin) deliver it. */
export interface Alert {
  level: AlertLevel;
  /** What happened, machine-readable: 'service-failed', 'restart', 'unhealthy', ... */
  kind: string;
  service?: string;
  message: string;
}

/** A read-only picture of one service, as plugins and status see it. */
export interface ServiceSnapshot {
  name: string;
  title: string;
  state: ServiceState;
  health: Health | null;
  /** Who said `health`: the reporting plugin, 'core' after a stop or exit reset it, null before any report. */
  healthBy: string | null;
  /** What each plugin that reports the service's health last said (`health` is the worst of them). */
  healthReports: Array<{ by: string; health: Health; detail: string | null }>;
  /** Running, and healthy where probed (or up for `readyAfter` where not): what dependants wait for. */
  ready: boolean;
  pid: number | null;
  port: number | null;
  command: string;
  /** Epoch ms when the current process started, or null when none runs. */
  startedAt: number | null;
  restarts: number;
  lastRestart: LastRestart | null;
  lastExit: { code: number | null; signal: string | null; at: string } | null;
  /** How its last stop went: the signal, how long it took, and whether SIGKILL had to end it at the timeout. */
  lastStop: LastStop | null;
  /** Why the last start was refused or could not happen (a port taken, a missing program). */
  lastError: string | null;
  /** When `restart.cron` restarts it next (ISO time), or null. */
  nextRestartAt: string | null;
  /** What plugins measured (responseTimeMs, ...), see PluginContext.reportMetrics. */
  metrics: Record<string, number | string | null>;
  /** Probes failed in a row (0 when the last passed, or none ran since the start): shown `failing (2/3)` before the threshold. */
  probeFailures: number;
  /** The failures in a row that make the probing plugin restart it, or null. */
  probeFailureThreshold: number | null;
}

/** A probing plugin's count of failures in a row (`ctx.reportProbe`). */
export interface ProbeFailures {
  count: number;
  threshold: number | null;
  by: string;
}

/** How a stop went: `stopped (SIGTERM, 0.2s)`, or `killed (SIGKILL after 3s timeout)`. */
export interface LastStop {
  signal: string;
  ms: number;
  /** SIGKILL ended it at the stop timeout. */
  forced: boolean;
  timeoutMs: number;
  at: string;
}
