import { describe, expect, it } from 'vitest';
import { StateMachine, TRANSITIONS } from '../../core/service/state-machine.js';
import type { ServiceState } from '../../core/service/types.js';

const STATES = Object.keys(TRANSITIONS) as ServiceState[];

describe('the service state machine', () => {
  it('starts stopped and reports every move', () => {
    const moves: string[] = [];
    const m = new StateMachine('api', ({ from, to }) => moves.push(`${from}->${to}`));
    expect(m.state).toBe('stopped');
    for (const to of ['starting', 'running', 'backoff', 'starting', 'running', 'stopping', 'stopped'] as const) m.transition(to);
    expect(moves).toEqual([
      'stopped->starting',
      'starting->running',
      'running->backoff',
      'backoff->starting',
      'starting->running',
      'running->stopping',
      'stopping->stopped',
    ]);
  });

  it.each(STATES.flatMap((from) => STATES.filter((to) => !TRANSITIONS[from].includes(to)).map((to) => [from, to] as const)))(
    'refuses %s -> %s',
    (from, to) => {
      const m = new StateMachine('api', () => undefined);
      // drive it to `from` along allowed moves
      const path: Record<ServiceState, ServiceState[]> = {
        stopped: [],
        starting: ['starting'],
        running: ['starting', 'running'],
        stopping: ['starting', 'running', 'stopping'],
        backoff: ['starting', 'running', 'backoff'],
        exited: ['starting', 'running', 'exited'],
        failed: ['starting', 'running', 'failed'],
      };
      path[from].forEach((s) => m.transition(s));
      expect(() => m.transition(to)).toThrow(`service api: cannot move from ${from} to ${to}`);
      expect(m.state).toBe(from);
    },
  );
});
