import type { ResolvedRestart } from '../config/types.js';
import type { RestartReason } from './types.js';

/** What the service has been through, as far as the restart decision cares. */
export interface RestartHistory {
  /** Epoch ms of each automatic restart in the current streak (oldest first). */
  restarts: number[];
}

export interface RestartInput {
  policy: ResolvedRestart;
  history: RestartHistory;
  now: number;
  /** How long the process that just ended (or is to be restarted) ran. */
  uptimeMs: number;
  reason: RestartReason;
  /** For reason `exit`: the exit code (null when killed by a signal). */
  exitCode?: number | null;
}

export type RestartDecision =
  | { action: 'restart'; delayMs: number; attempt: number; history: RestartHistory }
  | { action: 'give-up'; restarts: number; history: RestartHistory }
  | { action: 'stay-down'; why: string; history: RestartHistory };

/**
 * The restart decision, a pure function of policy, history and time.
 * - `never` keeps the service down; `on-failure` keeps it down after a clean exit (code 0).
 * - A run of at least `minUptime` earns the budget back: the streak starts over.
 * - Past `maxRestarts` restarts within `window`: give up (the service becomes `failed`).
 * - Otherwise restart after `initial * factor^n`, capped at `max`, n = restarts in the streak.
 */
export function decideRestart(input: RestartInput): RestartDecision {
  const { policy, now, uptimeMs, reason } = input;
  const earnedBack = uptimeMs >= policy.minUptimeMs;
  const streak = earnedBack ? [] : input.history.restarts.filter((t) => now - t < policy.windowMs);

  if (policy.policy === 'never') return { action: 'stay-down', why: "restart policy is 'never'", history: { restarts: streak } };
  if (policy.policy === 'on-failure' && reason.kind === 'exit' && input.exitCode === 0) {
    return { action: 'stay-down', why: "exited cleanly (code 0) under policy 'on-failure'", history: { restarts: streak } };
  }
  if (streak.length >= policy.maxRestarts) return { action: 'give-up', restarts: streak.length, history: { restarts: streak } };

  const { initialMs, factor, maxMs } = policy.backoff;
  const delayMs = Math.min(initialMs * factor ** streak.length, maxMs);
  return { action: 'restart', delayMs, attempt: streak.length + 1, history: { restarts: [...streak, now] } };
}

/** How soon a spawn that failed for the machine's want (descriptors, processes, memory) is tried again, budget untouched. */
export const TRANSIENT_RETRY_MS = 1000;

/** A spawn error that is the machine's trouble, not the service's: EMFILE, ENFILE, EAGAIN, ENOMEM. */
export const isTransient = (error: unknown): boolean =>
  ['EMFILE', 'ENFILE', 'EAGAIN', 'ENOMEM'].includes(((error as { cause?: NodeJS.ErrnoException })?.cause ?? (error as NodeJS.ErrnoException))?.code ?? '');
