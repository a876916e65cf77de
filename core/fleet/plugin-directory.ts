import type { Logs, RunningServices } from '../di/contracts.js';
import { errorText } from '../errors.js';
import type { ServiceDirectory } from '../plugin-host.js';
import type { ServiceController } from '../service/controller.js';

/** What the supervisor lends the plugins' directory: its services, and the operator's commands. */
export interface Fleet {
  controllers: Map<string, ServiceController>;
  logs: Logs;
  start(names: string[]): Promise<unknown>;
  stopServices(names: string[]): Promise<void>;
  restartServices(names: string[]): Promise<unknown>;
}

/** The running services' processes, as plugins' process questions need them. */
export function runningServices(controllers: Map<string, ServiceController>): RunningServices {
  return {
    all: () => [...controllers.values()].flatMap((c) => (c.identity() ? [{ service: c.name, identity: c.identity()! }] : [])),
    of: (service) => controllers.get(service)?.identity() ?? null,
  };
}

/** What plugins read of the fleet and ask of it, through the supervisor's controllers (looked up at each call: a reload replaces them). */
export function pluginDirectory(fleet: Fleet): ServiceDirectory {
  const { controllers, logs } = fleet;
  return {
    snapshots: () => [...controllers.values()].map((c) => c.snapshot()),
    snapshot: (name) => controllers.get(name)?.snapshot(),
    names: () => [...controllers.keys()],
    config: (name) => controllers.get(name)?.config,
    requestRestart: (name, reason) => {
      controllers
        .get(name)
        ?.requestRestart(reason)
        .catch((error) => logs.monitor.error(`${name}: restart failed: ${errorText(error)}`));
    },
    reportHealth: (name, health, by, detail) => controllers.get(name)?.setHealth(health, detail, by),
    reportReady: (name) => controllers.get(name)?.reportReady(),
    reportMetrics: (name, metrics) => controllers.get(name)?.setMetrics(metrics),
    reportProbeFailures: (name, failures) => controllers.get(name)?.noteProbeFailures(failures),
    signal: (name, signal, by) => void controllers.get(name)?.signal(signal, 'main', by),
    operate: async (action, name) =>
      void (await (action === 'stop' ? fleet.stopServices([name]) : action === 'start' ? fleet.start([name]) : fleet.restartServices([name]))),
  };
}
