import type { UiSource } from '../../cli/ui/app.js';
import type { ServiceStatus, StatusReport } from '../../core/status/types.js';

export const service = (name: string, patch: Partial<ServiceStatus> = {}): ServiceStatus =>
  ({
    name,
    title: name,
    state: 'running',
    health: 'healthy',
    ready: true,
    pid: 1,
    port: null,
    command: 'x',
    restarts: 0,
    lastRestart: null,
    lastExit: null,
    lastStop: null,
    lastError: null,
    nextRestartAt: null,
    metrics: {},
    probeFailures: 0,
    probeFailureThreshold: null,
    uptimeMs: 1000,
    responseTimeMs: null,
    rssBytes: 50 * 1048576,
    cpuPercent: 1.5,
    processes: 1,
    dependsOn: [],
    ...patch,
  }) as ServiceStatus;

/** A fleet of two (api running, worker failed) for the terminal UI, recording the commands sent. */
export function fakeFleet(extra: ServiceStatus[] = []) {
  const report: StatusReport = {
    supervisor: { running: true, pid: 1, uptimeMs: 1, config: 'c', version: 'v', pidDir: 'p', logDir: 'l', processBackend: 'linux' },
    services: [
      service('api'),
      service('worker', { state: 'failed', health: null, restarts: 3, lastRestart: { kind: 'exit', detail: '', at: '' } as never }),
      ...extra,
    ],
  };
  const acted: string[] = [];
  const source: UiSource = {
    status: async () => ({ ...report, services: [...report.services] }), // a new answer each time, as from the daemon
    logLines: (name) => [`${name} line one`, `${name} error two`, `${name} line three`, `${name} clears${String.fromCharCode(27)}[2J`],
    act: async (action, name) => {
      acted.push(`${action} ${name}`);
      return `${action} ${name}: done`;
    },
  };
  return { source, acted, report };
}
