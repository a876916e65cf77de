import { meant } from '../../core/config/suggest.js';
import type { StartReport } from '../../core/supervisor.js';
import { ZmartError } from '../../core/errors.js';
import { parseDuration } from '../../core/units.js';
import { OPERATOR_SIGNALS, parseSignal } from '../../core/service/signals.js';
import { askDaemon, locateFleet } from '../fleet.js';
import type { Output } from '../output.js';

const notRunning = (config: string) => new ZmartError('ZMART_NOT_RUNNING', `no supervisor is running for ${config} ('zmart start' starts one)`);

/** `zmart restart [SERVICE...]`: dependants stop first, each gets its restart budget back. */
export async function restart(options: { config?: string; services: string[]; allAtOnce?: boolean; wait?: string }, out: Output): Promise<number> {
  const waitMs = parseDuration(options.wait ?? '60s');
  if (waitMs === undefined || waitMs <= 0)
    throw new ZmartError('ZMART_USAGE', `--wait: expected a duration like '30s' or '2m', got ${JSON.stringify(options.wait)}`);
  const fleet = await locateFleet(options.config);
  const services = options.services.length > 0 ? options.services : undefined;
  const response = await askDaemon<StartReport>(fleet, 'POST', '/v1/restart', { services, allAtOnce: options.allAtOnce === true, waitMs }, 10 * 60_000);
  if (!response) throw notRunning(fleet.config);
  if (response.status !== 200) {
    out.error(response.body.error ?? `restart failed (${response.status})`);
    return response.status === 404 ? 2 : 1;
  }
  for (const name of response.body.up) out.line(`  ${out.ok('✔')} ${name} restarted`);
  for (const { name, why } of response.body.down) out.line(`  ${out.bad('✖')} ${name} did not come back: ${why}`);
  return response.body.down.length === 0 ? 0 : 1;
}

/** `zmart scale SERVICE N`: N processes of the service, live (new replicas start, the highest-numbered stop first). */
export async function scale(options: { config?: string; service: string; replicas: string }, out: Output): Promise<number> {
  const replicas = Number(options.replicas);
  if (!/^\d+$/.test(options.replicas) || replicas < 1 || replicas > 64) {
    throw new ZmartError('ZMART_USAGE', `zmart scale ${options.service} ${options.replicas}: expected a whole number of processes from 1 to 64`);
  }
  const fleet = await locateFleet(options.config);
  const response = await askDaemon<{ added: string[]; removed: string[] }>(fleet, 'POST', '/v1/scale', { service: options.service, replicas }, 10 * 60_000);
  if (!response) throw notRunning(fleet.config);
  if (response.status !== 200) {
    out.error(response.body.error ?? `scale failed (${response.status})`);
    return response.status === 404 ? 2 : 1;
  }
  const names = (list: string[]) => list.join(', ') || '-';
  out.line(
    `${options.service}: ${replicas} process${replicas === 1 ? '' : 'es'}; started ${names(response.body.added)}; stopped ${names(response.body.removed)}`,
  );
  out.line("(until the config says so too, 'zmart reload' goes back to the config's count)");
  return 0;
}

/** `zmart reload`: the daemon re-reads its config; a bad one is refused and nothing changes. */
export async function reload(options: { config?: string }, out: Output): Promise<number> {
  const fleet = await locateFleet(options.config);
  const response = await askDaemon<{ added: string[]; removed: string[]; changed: string[]; updated?: string[]; unchanged: string[] }>(
    fleet,
    'POST',
    '/v1/reload',
    {},
    10 * 60_000,
  );
  if (!response) throw notRunning(fleet.config);
  if (response.status !== 200) {
    out.error(`reload refused, the running fleet is unchanged:\n${response.body.error ?? response.status}`);
    return response.status === 400 ? 2 : 1;
  }
  const { added, removed, changed, updated = [], unchanged } = response.body;
  const names = (list: string[]) => list.join(', ') || '-';
  out.line(`reloaded ${fleet.config}`);
  out.line(
    `  added: ${names(added)}\n  removed: ${names(removed)}\n  changed (restarted): ${names(changed)}\n  updated (kept running): ${names(updated)}\n  unchanged: ${names(unchanged)}`,
  );
  return 0;
}

/**
 * `zmart signal SERVICE SIGNAL [--all]`: the signal to the service's main process (its whole
 * process group with --all), logged with who sent it. Exit 2 for a signal zmart does not send
 * or an unknown service, 1 when the service has no process, 3 without a supervisor.
 */
export async function signal(options: { config?: string; service: string; signal: string; all: boolean }, out: Output): Promise<number> {
  const name = parseSignal(options.signal);
  if (!name) {
    throw new ZmartError(
      'ZMART_USAGE',
      `${JSON.stringify(options.signal)} is not a signal zmart sends${meant(
        options.signal.replace(/^SIG/i, ''),
        OPERATOR_SIGNALS.map((s) => s.slice(3)),
      )}; one of: ${OPERATOR_SIGNALS.map((s) => s.slice(3)).join(' ')}`,
    );
  }
  const fleet = await locateFleet(options.config);
  const response = await askDaemon<{ pid: number; error?: string }>(
    fleet,
    'POST',
    '/v1/signal',
    { service: options.service, signal: name, all: options.all },
    10_000,
  );
  if (!response) throw notRunning(fleet.config);
  if (response.status !== 200) {
    out.error(response.body.error ?? `signal failed (${response.status})`);
    return response.status === 404 || response.status === 400 ? 2 : 1;
  }
  out.line(`${name} sent to ${options.service} (pid ${response.body.pid}${options.all ? ' and its process group' : ''})`);
  return 0;
}
