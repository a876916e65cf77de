import type { ProbeSettings } from './options.js';

/** One probe's result: `status` is the HTTP status, null for a TCP connect or a command that passed. */
export type ProbeOutcome = { ok: true; status: number | null; durationMs: number } | { ok: false; error: string; durationMs?: number };

/** What the tracker decided after one probe. */
export type Verdict =
  | { health: 'healthy' }
  | { health: 'unhealthy'; restart: boolean; detail: string }
  | { health: 'slow'; restart: boolean; detail: string }
  | { health: null }; // nothing to report (a failure below the threshold)

/**
 * One service's probe history as a pure state machine: consecutive failures and slow
 * answers, reset by a good answer. During `startPeriod` after a start failures do not count,
 * until the first good answer: from then on they do (Docker's start_period, Kubernetes'
 * startup probe).
 */
export class ProbeTracker {
  private failures = 0;
  private slowStreak = 0;
  private lastError = '';
  private answered = false;

  constructor(
    private readonly settings: ProbeSettings,
    private readonly startedAt: number,
  ) {}

  record(outcome: ProbeOutcome, now: number): Verdict {
    const inStartPeriod = !this.answered && now - this.startedAt < this.settings.startPeriodMs;
    const [low, high] = this.settings.expect;
    const ok = outcome.ok && (outcome.status === null || (outcome.status >= low && outcome.status <= high));
    if (!ok) {
      this.slowStreak = 0;
      this.lastError = outcome.ok ? `status ${outcome.status ?? ''} (expected ${low === high ? low : `${low}-${high}`})` : outcome.error;
      if (inStartPeriod) return { health: null };
      this.failures += 1;
      if (this.failures < this.settings.failureThreshold) return { health: null };
      const detail = `${this.failures} failed probes of ${this.settings.url}: ${this.lastError}`;
      this.failures = 0;
      return { health: 'unhealthy', restart: true, detail };
    }
    this.failures = 0;
    this.answered = true;
    const slow = this.settings.slow;
    if (!slow || outcome.durationMs <= slow.thresholdMs) {
      this.slowStreak = 0;
      return { health: 'healthy' };
    }
    this.slowStreak += 1;
    if (this.slowStreak < slow.count) return { health: 'healthy' };
    const detail = `${this.slowStreak} answers over ${slow.thresholdMs}ms (last ${Math.round(outcome.durationMs)}ms)`;
    this.slowStreak = 0;
    return { health: 'slow', restart: !inStartPeriod, detail };
  }

  /** Failures counted so far (for logs). */
  get failureCount(): number {
    return this.failures;
  }
}
