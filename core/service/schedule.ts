import type { Clock, Scheduler, Timer } from '../di/contracts.js';
import { createRequire } from 'node:module';

type CronClass = typeof import('croner').Cron;
let Cron: CronClass | null = null;

/** croner, loaded the first time a service has a schedule: a fleet without one never loads it. */
function cron(): CronClass {
  Cron ??= (createRequire(import.meta.url)('croner') as typeof import('croner')).Cron;
  return Cron;
}

/** Why a cron pattern is refused (croner's syntax: 5 fields, or 6 with seconds first), or null. */
export function cronProblem(pattern: string): string | null {
  try {
    new (cron())(pattern);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The next time the pattern fires after `now` (local time), in epoch ms, or null when it never does again. */
export function nextRun(pattern: string, now: number): number | null {
  return new (cron())(pattern).nextRun(new Date(now))?.getTime() ?? null;
}

/** A service's `restart.cron`: armed for each run of its process, disarmed when the run ends. */
export class RestartSchedule {
  private timer: Timer | null = null;
  /** When it fires next (epoch ms), or null. */
  next: number | null = null;

  constructor(
    private readonly pattern: string | null,
    private readonly clock: Clock,
    private readonly scheduler: Scheduler,
    private readonly fire: (pattern: string) => void,
  ) {}

  arm(): void {
    this.disarm();
    const pattern = this.pattern;
    if (!pattern) return;
    const at = nextRun(pattern, this.clock.now());
    if (at === null) return;
    this.next = at;
    this.timer = this.scheduler.setTimeout(() => {
      this.timer = null;
      this.next = null;
      this.fire(pattern);
    }, at - this.clock.now());
  }

  disarm(): void {
    this.timer?.cancel();
    this.timer = null;
    this.next = null;
  }
}
