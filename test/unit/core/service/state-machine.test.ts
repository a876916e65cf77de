import { describe, expect, it } from 'vitest';
import { HookBus } from '../../../../core/hook-bus.js';
import type { HookName } from '../../../../core/hooks.js';
import { Lifecycle, STATE_HOOKS, TRANSITIONS } from '../../../../core/service/state-machine.js';
import type { ServiceState } from '../../../../core/service/types.js';

const STATES = Object.keys(TRANSITIONS) as ServiceState[];
const reason = { kind: 'exit', by: 'core', detail: 'exited with code 1' } as const;

/** Drives a lifecycle along allowed moves, with the payload each move needs. */
function move(life: Lifecycle, to: ServiceState): void {
  if (to === 'running') life.transition('running', { pid: 1 });
  else if (to === 'stopping') life.transition('stopping', { pid: 1, signal: 'SIGTERM' });
  else if (to === 'stopped') life.transition('stopped', { forced: false });
  else if (to === 'backoff') life.transition('backoff', { reason, attempt: 1, delayMs: 10 });
  else if (to === 'failed') life.transition('failed', { reason, restarts: 3 });
  else life.transition(to as 'starting' | 'exited');
}

function recorded() {
  const seen: string[] = [];
  const hooks = new HookBus((error) => {
    throw error;
  });
  for (const hook of ['service:state', ...Object.values(STATE_HOOKS)] as HookName[]) {
    hooks.on(hook, (p) => void seen.push(hook === 'service:state' ? `${(p as { from: string }).from}->${(p as { to: string }).to}` : hook));
  }
  return { hooks, seen };
}

describe('the service lifecycle', () => {
  it('starts stopped and emits service:state, then the hook of the new state, for every move', () => {
    const { hooks, seen } = recorded();
    const life = new Lifecycle('api', hooks);
    expect(life.state).toBe('stopped');
    for (const to of ['starting', 'running', 'backoff', 'starting', 'running', 'stopping', 'failed', 'stopped'] as const) move(life, to);
    expect(seen).toEqual([
      'stopped->starting',
      'starting->running',
      'service:started',
      'running->backoff',
      'service:restart',
      'backoff->starting',
      'starting->running',
      'service:started',
      'running->stopping',
      'service:stopping',
      'stopping->failed',
      'service:failed',
      'failed->stopped',
      'service:stopped',
    ]);
  });

  it('lets a restart request that spends the budget end the stop in failed, backoff or exited', () => {
    for (const to of ['failed', 'backoff', 'exited'] as const) expect(TRANSITIONS.stopping).toContain(to);
  });

  const path: Record<ServiceState, ServiceState[]> = {
    stopped: [],
    starting: ['starting'],
    running: ['starting', 'running'],
    stopping: ['starting', 'running', 'stopping'],
    backoff: ['starting', 'running', 'backoff'],
    exited: ['starting', 'running', 'exited'],
    failed: ['starting', 'running', 'failed'],
  };
  it.each(STATES.flatMap((from) => STATES.filter((to) => !TRANSITIONS[from].includes(to)).map((to) => [from, to] as const)))(
    'refuses %s -> %s and emits nothing',
    (from, to) => {
      const { hooks, seen } = recorded();
      const life = new Lifecycle('api', hooks);
      for (const s of path[from]) move(life, s);
      const before = seen.length;
      expect(() => move(life, to)).toThrow(`service api: cannot move from ${from} to ${to}`);
      expect(life.state).toBe(from);
      expect(seen).toHaveLength(before);
    },
  );
});
