import type { ResolvedService } from '../config/types.js';
import type { Clock, Logs, Scheduler, Timer } from '../di/contracts.js';
import { tellDecision } from './decision-notes.js';
import type { ServiceRecord } from './record.js';
import { decideRestart, type RestartDecision, type RestartHistory } from './restart-policy.js';
import type { Lifecycle } from './state-machine.js';
import type { Alert, RestartReason } from './types.js';

export interface RestartsDeps {
  clock: Clock;
  scheduler: Scheduler;
  logs: Logs;
  alert: (alert: Alert) => void;
}

/**
 * One service's restart budget and its backoff: the streak of restarts that the pure
 * decision (restart-policy.ts) looks at, and the one place a decision turns into a state:
 * backoff (and its timer), failed, or exited.
 */
export class Restarts {
  private history: RestartHistory = { restarts: [] };
  private timer: Timer | null = null;

  constructor(
    private readonly service: () => ResolvedService,
    private readonly deps: RestartsDeps,
    private readonly record: ServiceRecord,
    private readonly life: Lifecycle,
    /** Called when a backoff is over: start the service again. */
    private readonly respawn: () => void,
  ) {}

  /** The operator's start: the budget is given back. */
  reset(): void {
    this.cancel();
    this.history = { restarts: [] };
  }

  /** A pending restart (backoff) is dropped. */
  cancel(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  /** The restart decision for this reason, the streak updated. */
  decide(reason: RestartReason, uptimeMs: number, exitCode?: number | null): RestartDecision {
    const decision = decideRestart({ policy: this.service().restart, history: this.history, now: this.deps.clock.now(), uptimeMs, reason, exitCode });
    this.history = decision.history;
    return decision;
  }

  /**
   * A plugin asks for a restart of the running process (`run`, null when there is none). The
   * budget decides first: a restart stops the process (`kill`) and waits the backoff; past the
   * budget it stops it and the service is `failed`; a policy that keeps it down ('never') leaves
   * it running. A restart on a schedule or a watched change is asked for, not a failure: it
   * spends no budget and waits no backoff.
   */
  async request(reason: RestartReason, run: { pid: number; alive: boolean; uptimeMs: number } | null, kill: () => Promise<unknown>): Promise<void> {
    const { name } = this.service();
    const { monitor } = this.deps.logs;
    const ignored = (why: string) => monitor.debug(`${name}: restart asked by ${reason.by} (${reason.kind}) ignored: ${why}`);
    if (this.life.state !== 'running' || !run) return ignored(`service is ${this.life.state}`);
    // The leader died and its exit is not handled yet (the kernel closes a dying process's
    // sockets before it tells us): what the plugin saw is that exit, reported as such.
    if (!run.alive) return ignored(`pid ${run.pid} already exited`);
    const asked = reason.kind === 'schedule' || reason.kind === 'watch';
    const decision = asked ? this.unbudgeted(0) : this.decide(reason, run.uptimeMs);
    if (decision.action === 'stay-down') return monitor.warn(`${name}: ${reason.kind} (${reason.detail}) but not restarted: ${decision.why}`);
    monitor.warn(`${name}: restart requested by ${reason.by}: ${reason.kind}: ${reason.detail}`);
    await kill();
    this.apply(reason, decision);
  }

  /** A restart after `delayMs` that leaves the budget as it is. */
  unbudgeted(delayMs: number): RestartDecision {
    return { action: 'restart', delayMs, attempt: this.history.restarts.length + 1, history: this.history };
  }

  /** Staying down without spending anything: `why` says what kept it down. */
  stayDown(why: string): RestartDecision {
    return { action: 'stay-down', why, history: this.history };
  }

  /**
   * The process ended after the operator's signal (`zmart signal`): the reaction asked for, not
   * a crash. Reason `manual`, no budget spent: restarted at once under policy 'always', else down.
   */
  applyAskedExit(signal: NodeJS.Signals, detail: string): void {
    const { policy } = this.service().restart;
    const manual: RestartReason = { kind: 'manual', by: 'operator', detail: `${detail} after ${signal} from the operator` };
    this.apply(manual, policy === 'always' ? this.unbudgeted(0) : this.stayDown(`policy '${policy}'`));
  }

  /** Turns a decision into a state: backoff (and a timer), failed, or exited. */
  apply(reason: RestartReason, decision: RestartDecision): void {
    if (decision.action === 'restart') {
      this.record.restarts += 1;
      this.record.noteRestart(reason, this.deps.clock.now());
      this.life.transition('backoff', { reason, attempt: decision.attempt, delayMs: decision.delayMs });
      this.timer = this.deps.scheduler.setTimeout(() => {
        this.timer = null;
        this.respawn();
      }, decision.delayMs);
    } else if (decision.action === 'give-up') this.life.transition('failed', { reason, restarts: decision.restarts });
    else this.life.transition('exited');
    tellDecision(this.service(), reason, decision, this.deps);
  }
}
