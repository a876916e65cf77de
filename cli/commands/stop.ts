import { rmSync } from 'node:fs';
import { FilePidStore } from '../../core/process/pid-store.js';
import { isRecordedProcess, isSameProcess } from '../../core/process/proc.js';
import { stopLeftovers } from '../../core/process/leftovers.js';
import { stopProcessTree } from '../../core/process/stop.js';
import { pickTable } from '../../core/process/table/pick.js';
import { formatDuration } from '../../core/format.js';
import { askDaemon, locateFleet, type FleetLocation } from '../fleet.js';
import type { Output } from '../output.js';
import type { LastStop } from '../../core/service/types.js';
import type { ServiceProgress } from '../../core/status/types.js';

/** `stopped (SIGTERM, 0.2s)`, `killed (SIGKILL after the 3s timeout)`, or `stopped` when it was not running. */
export function stopText(how: LastStop | null | undefined): string {
  if (!how) return 'stopped';
  if (how.forced) return `killed (SIGKILL after its ${formatDuration(how.timeoutMs)} timeout; ${how.signal} did not stop it)`;
  return `stopped (${how.signal}, ${(how.ms / 1000).toFixed(1)}s)`;
}

/**
 * `zmart stop [SERVICE...]`: asks the daemon to stop the services (all: and then itself).
 * Without a daemon, stops every orphan it can prove it started (pid + start time) and
 * removes the pid files; a process it cannot prove is never signalled.
 */
export async function stop(options: { config?: string; services: string[] }, out: Output): Promise<number> {
  const fleet = await locateFleet(options.config);
  const t0 = Date.now();
  const services = options.services.length > 0 ? options.services : undefined;
  const printed = new Set<string>();
  const report = (name: string, how?: LastStop | null) => {
    if (printed.has(name)) return;
    printed.add(name);
    // (a stop from before this command says nothing about this one)
    out.line(`  ${out.ok('✔')} ${name} ${stopText(how && Date.parse(how.at) >= t0 - 1000 ? how : null)}`);
  };
  // the supervisor itself, to see it gone before saying so (it ends a moment after it answers)
  const supervisor = services ? null : new FilePidStore(fleet.pidDir).read('monitor');
  // The answer ends the looks at the progress: the pause between two at once (a second apart at
  // 3,000), and one under way is given up (its ~1 MB answer the supervisor would write out before it ends).
  const answered = new AbortController();
  const answer = new Promise<void>((resolve) => answered.signal.addEventListener('abort', () => resolve(), { once: true }));
  // Asked first: a look at the states before it (~0.1 s of the supervisor's at 3,000) held the stop back.
  const asked = askDaemon<{ stopped: string[]; how?: Record<string, LastStop | null> }>(fleet, 'POST', '/v1/stop', { services }, 10 * 60_000).finally(() =>
    answered.abort(),
  );
  // Progress: each service as it goes down, in the order the daemon stops them.
  const progress = (async () => {
    const running = new Set<string>();
    // (the run entry says how large the fleet is: the first look waits as long as the next)
    let known = fleet.services.length;
    // what a stop follows, without metrics (a supervisor from before /v1/progress: its states)
    let path = '/v1/progress';
    for (;;) {
      // a large fleet's progress is still a large answer: asked less often (1 s at 3,000), it stops faster
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([answer, new Promise((r) => (timer = setTimeout(r, Math.min(1000, Math.max(100, known / 3)))))]);
      clearTimeout(timer);
      if (answered.signal.aborted) return;
      const look = await askDaemon<{ services: ServiceProgress[] }>(fleet, 'GET', path, undefined, 2000, answered.signal).catch(() => null);
      if (look?.status === 404 && path === '/v1/progress') path = '/v1/states';
      known = Math.max(known, look?.status === 200 ? look.body.services.length : 0);
      for (const s of look?.status === 200 ? look.body.services : []) {
        if (s.state !== 'stopped') running.add(s.name);
        else if (running.has(s.name) && (!services || services.includes(s.name))) report(s.name, s.lastStop);
      }
    }
  })();
  const response = await asked;
  await progress;
  if (!response) return stopOrphans(fleet, options.services, out);
  if (response.status !== 200) {
    out.error(response.body.error ?? `stop failed (${response.status})`);
    return response.status === 404 ? 2 : 1;
  }
  for (const name of response.body.stopped) report(name, response.body.how?.[name]);
  if (supervisor) await gone(supervisor, SUPERVISOR_EXIT_MS);
  out.line(services ? `stopped ${services.join(', ')} in ${formatDuration(Date.now() - t0)}` : `zmart stopped in ${formatDuration(Date.now() - t0)}`);
  return 0;
}

/** How long `zmart stop` waits for the supervisor to end after it said it stopped (it gives its answer a moment first). */
const SUPERVISOR_EXIT_MS = 5000;

/** Resolves once the process is gone, or at the deadline: a `zmart start` right after a stop finds no supervisor. */
async function gone(identity: { pid: number; startTime: number }, ms: number): Promise<void> {
  const table = pickTable();
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && isSameProcess(table, identity.pid, identity.startTime)) await new Promise((r) => setTimeout(r, 20));
}

async function stopOrphans(fleet: FleetLocation, names: string[], out: Output): Promise<number> {
  const pids = new FilePidStore(fleet.pidDir);
  const table = pickTable();
  out.line(`no supervisor is running for ${fleet.config}; cleaning up from the pid files in ${fleet.pidDir}`);
  const events = await stopLeftovers(
    { pids, isAlive: (identity) => isRecordedProcess(table, identity), stop: (leader, how) => stopProcessTree(leader, { ...how, table }), now: Date.now },
    {
      names: names.length > 0 ? names : undefined,
      report: (event) => {
        if (event.kind === 'stale') out.line(`  - ${event.name}: stale pid file removed (pid ${event.pid} ${event.why}; not signalled)`);
        if (event.kind !== 'stopped') return;
        const how = event.forced ? 'killed with SIGKILL after the stop timeout' : 'stopped';
        const left = event.left.length ? `; still alive: ${event.left.join(' ')}` : '';
        out.line(`  ${out.ok('✔')} ${event.name}: orphan pid ${event.pid} ${how} (${formatDuration(event.ms)})${left}`);
      },
    },
  );
  if (names.length === 0) {
    const monitor = pids.read('monitor');
    if (monitor && !isSameProcess(table, monitor.pid, monitor.startTime)) pids.remove('monitor', monitor.pid);
    rmSync(fleet.socket, { force: true }); // nobody answered on it
  }
  const stopped = events.filter((e) => e.kind === 'stopped').length;
  out.line(stopped > 0 ? `${stopped} orphaned service(s) stopped` : 'nothing was running');
  return 0;
}
