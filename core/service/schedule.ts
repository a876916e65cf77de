import type { Clock, Scheduler, Timer } from '../di/contracts.js';
import { createRequire } from 'node:module';

type CronClass = typeof import('croner').Cron;
let Cron: CronClass | null = null;

/** croner, loaded the first time a service has a schedule: a fleet without one never loads it. */
function cron(): CronClass {
  Cron ??= (createRequire(import.meta.url)('croner') as typeof import('croner')).Cron;
  return Cron;
}

/** A schedule that does not fire within this long is a mistake (`0 0 30 2 *`: February has no 30th). */
const HORIZON_DAYS = 400;

/**
 * Why a cron pattern is refused (croner's syntax: 5 fields, or 6 with seconds first; and it must
 * fire within the next 400 days), or null.
 */
export function cronProblem(pattern: string, now = Date.now()): string | null {
  let next: Date | null;
  try {
    next = new (cron())(pattern).nextRun(new Date(now));
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  if (next === null) return `'${pattern}' never fires (no such date)`;
  if (next.getTime() - now > HORIZON_DAYS * 86_400_000)
    return `'${pattern}' does not fire in the next ${HORIZON_DAYS} days (next: ${next.toISOString().slice(0, 10)})`;
  return null;
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
    /** The pattern in force (a hand-over may bring a new one). */
    private readonly pattern: () => string | null,
    private readonly clock: Clock,
    private readonly scheduler: Scheduler,
    private readonly fire: (pattern: string) => void,
  ) {}

  arm(): void {
    this.disarm();
    const pattern = this.pattern();
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
