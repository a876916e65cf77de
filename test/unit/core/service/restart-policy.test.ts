import { describe, expect, it } from 'vitest';
import type { ResolvedRestart } from '../../../../core/config/types.js';
import { decideRestart } from '../../../../core/service/restart-policy.js';
import type { RestartReason } from '../../../../core/service/types.js';

const policy = (over: Partial<ResolvedRestart> = {}): ResolvedRestart => ({
  policy: 'always',
  maxRestarts: 3,
  windowMs: 60_000,
  backoff: { initialMs: 1000, factor: 2, maxMs: 5000 },
  minUptimeMs: 30_000,
  cron: null,
  ...over,
});
const exit: RestartReason = { kind: 'exit', by: 'core', detail: 'exited with code 1' };
const NOW = 1_000_000;

describe('decideRestart', () => {
  it.each([
    // [case, policy, restarts so far (ms ago), uptime, exit code, expected]
    ['first crash', policy(), [], 100, 1, { action: 'restart', delayMs: 1000, attempt: 1 }],
    ['second crash doubles the delay', policy(), [5000], 100, 1, { action: 'restart', delayMs: 2000, attempt: 2 }],
    ['third crash', policy(), [9000, 5000], 100, 1, { action: 'restart', delayMs: 4000, attempt: 3 }],
    ['the delay is capped', policy({ maxRestarts: 10 }), [9, 8, 7, 6], 100, 1, { action: 'restart', delayMs: 5000, attempt: 5 }],
    ['past the budget: give up', policy(), [9000, 5000, 1000], 100, 1, { action: 'give-up', restarts: 3 }],
    ['maxRestarts 0 gives up at once', policy({ maxRestarts: 0 }), [], 100, 1, { action: 'give-up', restarts: 0 }],
    ['restarts older than the window do not count', policy(), [70_000, 65_000, 61_000], 100, 1, { action: 'restart', delayMs: 1000, attempt: 1 }],
    ['a run of minUptime earns the budget back', policy(), [9000, 5000, 1000], 30_000, 1, { action: 'restart', delayMs: 1000, attempt: 1 }],
    ['never: stays down', policy({ policy: 'never' }), [], 100, 1, { action: 'stay-down' }],
    ['on-failure, clean exit: stays down', policy({ policy: 'on-failure' }), [], 100, 0, { action: 'stay-down' }],
    ['on-failure, failure: restarts', policy({ policy: 'on-failure' }), [], 100, 2, { action: 'restart', delayMs: 1000 }],
    ['on-failure, killed by a signal: restarts', policy({ policy: 'on-failure' }), [], 100, null, { action: 'restart' }],
    ['always, clean exit: restarts', policy(), [], 100, 0, { action: 'restart' }],
  ] as const)('%s', (_name, p, ago, uptimeMs, exitCode, expected) => {
    const decision = decideRestart({
      policy: p,
      history: { restarts: ago.map((a) => NOW - a).reverse() },
      now: NOW,
      uptimeMs,
      reason: exit,
      exitCode,
    });
    expect(decision).toMatchObject(expected);
  });

  it('records the restart in the history it returns, and forgets what fell out of the window', () => {
    const first = decideRestart({ policy: policy(), history: { restarts: [NOW - 90_000] }, now: NOW, uptimeMs: 10, reason: exit, exitCode: 1 });
    expect(first.history.restarts).toEqual([NOW]);
  });

  it('treats a plugin request (not an exit) as a failure under on-failure', () => {
    const decision = decideRestart({
      policy: policy({ policy: 'on-failure' }),
      history: { restarts: [] },
      now: NOW,
      uptimeMs: 10,
      reason: { kind: 'unhealthy', by: 'health-http', detail: '3 failed probes' },
    });
    expect(decision.action).toBe('restart');
  });
});
