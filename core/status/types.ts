import type { PluginStatus } from '../plugin-guard/plugin-watch.js';
import type { ServiceSnapshot } from '../service/types.js';

export type { PluginStatus };

/** What `zmart status --json` prints. Fields may be added, never renamed. */
export interface StatusReport {
  supervisor: {
    running: boolean;
    pid: number | null;
    uptimeMs: number | null;
    config: string;
    version: string;
    pidDir: string;
    logDir: string;
    /** How processes are looked at: /proc (`linux`) or ps and lsof (`portable`). */
    processBackend: 'linux' | 'portable';
  };
  services: ServiceStatus[];
  /** Each plugin: `running`, `disabled` or `failed` (set aside, with `why`), and the loop time its calls held. Absent without a supervisor. */
  plugins?: PluginStatus[];
}

/** One service in `zmart status --json`: its snapshot, with times and resources measured. */
export interface ServiceStatus extends Omit<ServiceSnapshot, 'startedAt'> {
  uptimeMs: number | null;
  /** The last health probe's response time (health-http), with p50/p95 and class in `metrics`. */
  responseTimeMs: number | null;
  /** Resident memory of the whole process tree. */
  rssBytes: number | null;
  /** CPU use of the process tree, averaged over its life (as `ps` shows it). */
  cpuPercent: number | null;
  /** Processes in the tree (the leader and its descendants). */
  processes: number | null;
  dependsOn: string[];
  /** Set when no supervisor runs: the pid file names a live process zmart started (orphaned) or not (stale). */
  pidFile?: 'orphaned' | 'stale';
}

/**
 * One service as a start or a stop follows it (GET /v1/progress): what they print of it, without
 * its command, metrics and resources (at 3,000 services 0.15-0.5 MB where the states are 1.3 MB).
 */
export type ServiceProgress = Pick<
  ServiceStatus,
  | 'name'
  | 'state'
  | 'health'
  | 'ready'
  | 'pid'
  | 'restarts'
  | 'lastRestart'
  | 'lastExit'
  | 'lastError'
  | 'lastStop'
  | 'probeFailures'
  | 'probeFailureThreshold'
  | 'dependsOn'
>;
