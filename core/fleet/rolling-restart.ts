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

/**
 * The operator's restart of `names`: services that are not replicas in one batch (stopped
 * dependants first, started in dependency order); replicas one after another, each up again
 * (its readiness) before the next is stopped, so the others serve meanwhile. A replica that does
 * not come back stops the roll: those after it keep their old processes, reported as not
 * restarted.
 */
export async function restartInTurn(
  names: string[],
  deps: {
    isReplica: (name: string) => boolean;
    restartBatch: (names: string[]) => Promise<StartReport>;
    /** A replica not back within this long stops the roll (it keeps starting; the rest wait). */
    waitMs: number;
    scheduler: Scheduler;
  },
): Promise<StartReport> {
  const batch = names.filter((n) => !deps.isReplica(n));
  const report: StartReport = batch.length > 0 ? await deps.restartBatch(batch) : { up: [], down: [] };
  const replicas = names.filter((n) => deps.isReplica(n));
  for (const [k, name] of replicas.entries()) {
    const one = await withDeadline(deps.restartBatch([name]), deps.waitMs, deps.scheduler, name);
    report.up.push(...one.up);
    report.down.push(...one.down);
    if (one.down.length > 0) {
      const why = `not restarted: the roll stopped at ${name} (${one.down[0]!.why}); it keeps its running process`;
      report.down.push(...replicas.slice(k + 1).map((rest) => ({ name: rest, why })));
      break;
    }
  }
  return report;
}

/** What an operator restart needs of the supervisor. */
export interface RestartDeps {
  /** Stops the services, dependants first; sockets zmart holds stay open. */
  stop: (names: string[]) => Promise<void>;
  /** Starts them in dependency order; resolves once each is up or down. */
  start: (names: string[]) => Promise<StartReport>;
  controller: (name: string) => { config: { replica: { index: number } | null }; noteManualRestart(): void } | undefined;
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
    const turn = {
      isReplica: (n: string) => this.deps.controller(n)?.config.replica != null,
      restartBatch: (batch: string[]) => this.restartNow(batch),
      waitMs: options.waitMs ?? 60_000,
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
 * A reload's changed replicas, in turn: each old process (its controller from before the reload)
 * stops only when its successor starts, which must be ready (within 60 s) before the next goes.
 */
export async function rollReplaced(
  names: string[],
  deps: { old: Map<string, { stop(): Promise<void> }>; start: (names: string[]) => Promise<StartReport>; scheduler: Scheduler },
): Promise<StartReport> {
  if (names.length === 0) return { up: [], down: [] };
  const restartBatch = async (batch: string[]) => {
    for (const name of batch) await deps.old.get(name)?.stop();
    const report = await deps.start(batch);
    return { up: report.up.filter((n) => batch.includes(n)), down: report.down.filter((d) => batch.includes(d.name)) };
  };
  return restartInTurn(names, { isReplica: () => true, restartBatch, waitMs: 60_000, scheduler: deps.scheduler });
}
