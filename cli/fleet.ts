import { dirname, join, resolve } from 'node:path';
import { findConfigFile } from '../core/config/locate.js';
import { callControl, isForbidden, isHangUp, isUnreachable, notYours } from '../core/daemon/control-client.js';
import { ZmartError } from '../core/errors.js';
import { checkSocketFolder, readRunEntry, socketPathFor, type RunEntry } from '../core/daemon/registry.js';
import { pickTable } from '../core/process/table/pick.js';
import { offlineStatus } from '../core/status/offline.js';
import type { StatusReport } from '../core/status/types.js';
import { zmartVersion } from './version.js';

/** Where a fleet lives, found without loading its config (fast enough for `zmart status`). */
export interface FleetLocation {
  config: string;
  pidDir: string;
  logDir: string;
  socket: string;
  services: RunEntry['services'];
}

export async function locateFleet(configPath?: string): Promise<FleetLocation> {
  const config = await findConfigFile({ configPath });
  const entry = readRunEntry(config);
  if (entry) {
    // A socket outside the pid folder lives in TMPDIR: trusted only in a folder that is safely ours.
    if (dirname(entry.socket) !== entry.pidDir) checkSocketFolder(dirname(entry.socket));
    return { config, pidDir: entry.pidDir, logDir: entry.logDir, socket: entry.socket, services: entry.services };
  }
  // Never run from this machine's account: the defaults (and PID_DIR) are the best guess.
  const root = dirname(config);
  const pidDir = resolve(root, process.env.PID_DIR || 'server_pids');
  return { config, pidDir, logDir: resolve(root, 'logs'), socket: socketPathFor(pidDir, config), services: [] };
}

/** The daemon's status, or the pid files' when no daemon answers. */
export async function fleetStatus(fleet: FleetLocation): Promise<StatusReport> {
  try {
    const { status, body } = await callControl<StatusReport>(fleet.socket, 'GET', '/v1/status', undefined, 10_000);
    if (status === 200) return body;
  } catch (error) {
    if (isForbidden(error)) throw notYours(fleet.socket, fleet.config);
    if (!isUnreachable(error)) throw error;
  }
  return offlineStatus({ ...fleet, version: zmartVersion(), table: pickTable() });
}

/** Sends a request to the daemon; null when no daemon listens. */
export async function askDaemon<T>(fleet: FleetLocation, method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs?: number, signal?: AbortSignal) {
  try {
    return await callControl<T>(fleet.socket, method, path, body, timeoutMs, signal);
  } catch (error) {
    if (isUnreachable(error)) return null;
    if (isForbidden(error)) throw notYours(fleet.socket, fleet.config);
    if (isHangUp(error)) {
      throw new ZmartError(
        'ZMART_SUPERVISOR_DIED',
        `the supervisor died before it answered ${method} ${path}; see ${join(fleet.logDir, 'zmart.out')} and zmart.log there ('zmart status' shows what is left)`,
      );
    }
    throw error;
  }
}

/** Every service in the report is running and ready (what `zmart start` waits for), and healthy where something probes it. */
export const allHealthy = (report: StatusReport): boolean =>
  report.services.length > 0 && report.services.every((s) => s.state === 'running' && s.ready && (s.health === null || s.health === 'healthy'));
