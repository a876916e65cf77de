import type { ProcessTable } from '../di/contracts.js';
import { isRecordedProcess, isSameProcess } from '../process/proc.js';
import { FilePidStore } from '../process/pid-store.js';
import type { RunEntry } from '../daemon/registry.js';
import { treeUsage } from './process-usage.js';
import type { ServiceStatus, StatusReport } from './types.js';

export interface OfflineSource {
  config: string;
  pidDir: string;
  logDir: string;
  version: string;
  /** What the last supervisor knew of the services, if it left a run entry. */
  services: RunEntry['services'];
  /** Where processes are looked up. */
  table: ProcessTable;
}

/**
 * Status without a supervisor, from the pid files alone: a pid file whose process is alive
 * and proven ours (pid + start time) is an orphan; any other is stale.
 */
export function offlineStatus(source: OfflineSource, now = Date.now()): StatusReport {
  const pids = new FilePidStore(source.pidDir);
  const names = [...source.services.map((s) => s.name)];
  for (const name of pids.list()) if (name !== 'monitor' && !names.includes(name)) names.push(name);
  const { table } = source;
  const stats = table.all();
  const services = names.map((name): ServiceStatus => {
    const known = source.services.find((s) => s.name === name);
    const record = pids.read(name);
    const alive = record !== null && isRecordedProcess(table, record);
    const usage = alive ? treeUsage(table, record.pid, record.startTime, now, stats) : null;
    return {
      name,
      title: known?.title ?? name,
      state: alive ? 'running' : 'stopped',
      health: null,
      healthBy: null,
      healthReports: [],
      ready: false,
      pid: alive ? record.pid : null,
      port: known?.port ?? null,
      command: record?.command ?? '',
      uptimeMs: alive && record.recordedAt ? now - record.recordedAt : null,
      restarts: 0,
      lastRestart: null,
      lastExit: null,
      lastStop: null,
      lastError: null,
      nextRestartAt: null,
      responseTimeMs: null,
      metrics: {},
      probeFailures: 0,
      probeFailureThreshold: null,
      rssBytes: usage?.rssBytes ?? null,
      cpuPercent: usage?.cpuPercent ?? null,
      processes: usage?.processes ?? null,
      dependsOn: known?.dependsOn ?? [],
      ...(record ? { pidFile: alive ? ('orphaned' as const) : ('stale' as const) } : {}),
    };
  });
  const monitor = pids.read('monitor');
  return {
    supervisor: {
      running: false,
      pid: monitor && isSameProcess(table, monitor.pid, monitor.startTime) ? monitor.pid : null,
      uptimeMs: null,
      config: source.config,
      version: source.version,
      pidDir: source.pidDir,
      logDir: source.logDir,
      processBackend: table.name,
    },
    services,
  };
}
