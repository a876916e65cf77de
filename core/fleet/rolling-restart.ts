import type { StartReport } from './start-wait.js';

/**
 * The operator's restart of `names`: services that are not replicas in one batch (stopped
 * dependants first, started in dependency order); replicas one after another, each up again
 * (its readiness) before the next is stopped, so the others serve meanwhile. A replica that does
 * not come back stops the roll: those after it keep their old processes, reported as not
 * restarted.
 */
export async function restartInTurn(
  names: string[],
  deps: { isReplica: (name: string) => boolean; restartBatch: (names: string[]) => Promise<StartReport> },
): Promise<StartReport> {
  const batch = names.filter((n) => !deps.isReplica(n));
  const report: StartReport = batch.length > 0 ? await deps.restartBatch(batch) : { up: [], down: [] };
  const replicas = names.filter((n) => deps.isReplica(n));
  for (const [k, name] of replicas.entries()) {
    const one = await deps.restartBatch([name]);
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
