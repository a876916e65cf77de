import type { Health, LastRestart, ServiceState } from '../service/types.js';

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
  };
  services: ServiceStatus[];
}

export interface ServiceStatus {
  name: string;
  title: string;
  state: ServiceState;
  health: Health | null;
  /** Running, and healthy where probed, or up for `readyAfter` where not. */
  ready: boolean;
  pid: number | null;
  port: number | null;
  command: string;
  uptimeMs: number | null;
  restarts: number;
  lastRestart: LastRestart | null;
  lastExit: { code: number | null; signal: string | null; at: string } | null;
  /** Why the last start was refused or failed (a port taken, a missing program). */
  lastError: string | null;
  /** The last health probe's response time (health-http), with p50/p95 and class in `metrics`. */
  responseTimeMs: number | null;
  /** Everything plugins measured for this service. */
  metrics: Record<string, number | string | null>;
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
