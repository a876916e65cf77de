import type { Scheduler } from '../di/contracts.js';
import { JoinedRestarts } from './joined-restarts.js';
import type { StartReport } from './start-wait.js';

/** The restart's report, or at the deadline a report that says it is not back yet. */
function withDeadline(restart: Promise<StartReport>, ms: number, scheduler: Scheduler, name: string): Promise<StartReport> {
  return new Promise((resolve, reject) => {
    const timer = scheduler.setTimeout(() => resolve({ up: [], down: [{ name, why: `not ready within ${ms / 1000}s (it keeps starting)` }] }), ms);
    restart.then(
      (report) => {
        timer.cancel();
        resolve(report);
      },
      (error: unknown) => {
        timer.cancel();
        reject(error);
      },
    );
  });
}

/** How a service restarts in a roll: one batch, in turn (stopped, then started), or handed over (successor first). */
export type RollKind = 'batch' | 'in-turn' | 'hand-over';

/** What a roll needs: how each service rolls, the two ways to restart, the deadline. */
export interface TurnDeps {
  rollOf: (name: string) => RollKind;
  restartBatch: (names: string[]) => Promise<StartReport>;
  /** A hand-over (ServiceController.handOver): null when done, else why not, or 'not running'. */
  handOver: (name: string) => Promise<string | null>;
  /** A process not back (or a successor not ready) within this long stops the roll. */
  waitMs: number;
  scheduler: Scheduler;
}

/**
 * The operator's restart of `names`: services that do not roll in one batch (stopped dependants
 * first, started in dependency order); the others one after another. A service whose socket
 * zmart holds is handed over: its successor starts and must be ready before the old process
 * stops. A replica without one stops, then starts, and is ready again before the next one goes.
 * Either way the others serve meanwhile. One that does not come back (or whose successor is not
 * ready) stops the roll: those after it keep their old processes, reported as not restarted.
 */
export async function restartInTurn(names: string[], deps: TurnDeps): Promise<StartReport> {
  const batch = names.filter((n) => deps.rollOf(n) === 'batch');
  const report: StartReport = batch.length > 0 ? await deps.restartBatch(batch) : { up: [], down: [] };
  const rolled = names.filter((n) => deps.rollOf(n) !== 'batch');
  for (const [k, name] of rolled.entries()) {
    const one = await restartOne(name, deps);
    report.up.push(...one.up);
    report.down.push(...one.down);
    if (one.down.length > 0) {
      const why = `not restarted: the roll stopped at ${name} (${one.down[0]!.why}); it keeps its running process`;
      report.down.push(...rolled.slice(k + 1).map((rest) => ({ name: rest, why })));
      break;
    }
  }
  return report;
}

async function restartOne(name: string, deps: TurnDeps): Promise<StartReport> {
  if (deps.rollOf(name) === 'hand-over') {
    const why = await deps.handOver(name);
    if (why === null) return { up: [name], down: [] };
    if (why !== 'not running') return { up: [], down: [{ name, why: `its successor ${why}; the running process serves on` }] };
  }
  return withDeadline(deps.restartBatch([name]), deps.waitMs, deps.scheduler, name);
}

/** What a roll needs of a service's controller. */
export interface RollingController {
  config: { replica: { index: number } | null; socket: { host: string } | null };
  noteManualRestart(): void;
  handOver(waitMs: number): Promise<string | null>;
}

/** How a service rolls: handed over when zmart holds its socket, in turn when it is a replica, else in the batch. */
export const rollOf = (c: RollingController | undefined): RollKind => (c?.config.socket ? 'hand-over' : c?.config.replica ? 'in-turn' : 'batch');

/** What an operator restart needs of the supervisor. */
export interface RestartDeps {
  /** Stops the services, dependants first; sockets zmart holds stay open. */
  stop: (names: string[]) => Promise<void>;
  /** Starts them in dependency order; resolves once each is up or down. */
  start: (names: string[]) => Promise<StartReport>;
  controller: (name: string) => RollingController | undefined;
  scheduler: () => Scheduler;
}

/**
 * The operator's restarts: joined when one of the same service is under way (JoinedRestarts),
 * rolling for replicas unless `allAtOnce`, each batch given its restart budget back.
 */
export class OperatorRestarts {
  private readonly joined = new JoinedRestarts((names) => this.restartNow(names));

  constructor(private readonly deps: RestartDeps) {}

  request(names: string[], options: { allAtOnce?: boolean; waitMs?: number }): Promise<StartReport> {
    if (options.allAtOnce) return this.joined.request(names);
    const waitMs = options.waitMs ?? 60_000;
    const turn: TurnDeps = {
      rollOf: (n) => rollOf(this.deps.controller(n)),
      restartBatch: (batch) => this.restartNow(batch),
      handOver: async (n) => {
        const c = this.deps.controller(n);
        const why = c ? await c.handOver(waitMs) : 'not running';
        if (why === null) c?.noteManualRestart();
        return why;
      },
      waitMs,
      scheduler: this.deps.scheduler(),
    };
    return this.joined.request(names, (fresh) => restartInTurn(fresh, turn));
  }

  /** Stops the services (dependants first), gives each its restart budget back (a `failed` one too), starts them in dependency order. */
  private async restartNow(names: string[]): Promise<StartReport> {
    await this.deps.stop(names);
    for (const name of names) this.deps.controller(name)?.noteManualRestart();
    const report = await this.deps.start(names);
    // start() also reports the dependencies it waited for: keep what was restarted.
    return { up: report.up.filter((n) => names.includes(n)), down: report.down.filter((d) => names.includes(d.name)) };
  }
}

/**
 * Of a reload's changed services, those running that roll: a replica, or one with a socket before
 * and after, whose controller stays (`handedOver`: its process hands over to one with the new
 * settings). The others are stopped and started again.
 */
export function reloadRolls(
  changed: string[],
  before: (name: string) => { state: string; config: { socket: unknown } } | undefined,
  after: Map<string, { replica: unknown; socket: unknown }>,
): { rolled: string[]; handedOver: Set<string> } {
  const running = changed.filter((n) => before(n)?.state === 'running');
  const handedOver = new Set(running.filter((n) => before(n)!.config.socket && after.get(n)?.socket));
  return { rolled: running.filter((n) => handedOver.has(n) || after.get(n)?.replica), handedOver };
}

/**
 * A reload's changed services that roll (restartInTurn): one whose socket zmart holds is handed
 * over to a successor with its new settings (`handOver`); a replica without one stops (its
 * controller from before the reload, in `old`) only at its turn, and its successor must be ready
 * (within 60 s) before the next goes.
 */
export async function rollReplaced(
  names: string[],
  deps: Pick<TurnDeps, 'rollOf' | 'handOver' | 'scheduler'> & {
    old: Map<string, { stop(): Promise<void> }>;
    start: (names: string[]) => Promise<StartReport>;
  },
): Promise<StartReport> {
  if (names.length === 0) return { up: [], down: [] };
  const restartBatch = async (batch: string[]) => {
    for (const name of batch) await deps.old.get(name)?.stop();
    const report = await deps.start(batch);
    return { up: report.up.filter((n) => batch.includes(n)), down: report.down.filter((d) => batch.includes(d.name)) };
  };
  return restartInTurn(names, { ...deps, restartBatch, waitMs: 60_000 });
}
