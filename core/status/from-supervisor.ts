import type { Supervisor } from '../supervisor.js';
import { treeUsage } from './process-usage.js';
import type { ServiceProgress, ServiceStatus, StatusReport } from './types.js';

/** The status of a live supervisor and its services, with each process tree's memory and CPU. */
export function supervisorStatus(supervisor: Supervisor, version: string, options: { usage?: boolean; now?: number } = {}): StatusReport {
  const { config, table } = supervisor;
  const now = options.now ?? supervisor.clock.now();
  // one reading of the process table for every service's tree; none without `usage`
  const stats = options.usage === false ? null : table.all();
  const services = config.services.map((service): ServiceStatus => {
    const controller = supervisor.controller(service.name)!;
    const snap = controller.snapshot();
    const identity = controller.identity();
    const usage = identity && stats ? treeUsage(table, identity.pid, identity.startTime, now, stats) : null;
    const { startedAt, ...rest } = snap;
    return {
      ...rest,
      uptimeMs: startedAt === null ? null : now - startedAt,
      responseTimeMs: typeof snap.metrics.responseTimeMs === 'number' ? snap.metrics.responseTimeMs : null,
      rssBytes: usage?.rssBytes ?? null,
      cpuPercent: usage?.cpuPercent ?? null,
      processes: usage?.processes ?? null,
      dependsOn: Object.keys(service.dependsOn),
    };
  });
  return {
    supervisor: {
      running: true,
      pid: process.pid,
      uptimeMs: now - supervisor.startedAt,
      config: config.file ?? '(inline)',
      version,
      pidDir: config.pidDir,
      logDir: config.logDir,
      processBackend: table.name,
    },
    services,
    plugins: supervisor.plugins(),
  };
}

/** Each service as a start or a stop follows it: no metrics, no command, no look at the process table. */
export function supervisorProgress(supervisor: Supervisor): { services: ServiceProgress[] } {
  const dependsOn = new Map(supervisor.config.services.map((service) => [service.name, Object.keys(service.dependsOn)]));
  return {
    services: supervisor.snapshots().map((s) => ({
      name: s.name,
      state: s.state,
      health: s.health,
      ready: s.ready,
      pid: s.pid,
      restarts: s.restarts,
      lastRestart: s.lastRestart,
      lastExit: s.lastExit,
      lastError: s.lastError,
      lastStop: s.lastStop,
      probeFailures: s.probeFailures,
      probeFailureThreshold: s.probeFailureThreshold,
      dependsOn: dependsOn.get(s.name) ?? [],
    })),
  };
}
