import { ZmartError } from '../errors.js';
import type { HookBus } from '../hook-bus.js';
import type { HookMap } from '../hooks.js';
import type { ServiceState } from './types.js';

/**
 * Every move a service may make. Anything else is a bug in core and throws.
 *   stopped  -> starting                            (operator start)
 *   starting -> running                             (spawned)
 *            -> backoff | failed | exited           (could not spawn: the restart decision; refused by a plugin: failed)
 *            -> stopped                             (operator stop while plugins prepared the start)
 *   running  -> stopping                            (operator stop, or a plugin's restart request the budget allows)
 *            -> backoff | failed | exited           (the process died: the restart decision)
 *   stopping -> stopped                             (operator stop done)
 *            -> backoff | failed | exited           (stopped for a plugin's restart request: the restart decision)
 *   backoff  -> starting | stopped                  (delay over; operator stop)
 *   exited, failed -> starting | stopped            (operator start or restart; operator stop)
 */
export const TRANSITIONS: Readonly<Record<ServiceState, readonly ServiceState[]>> = {
  stopped: ['starting'],
  starting: ['running', 'backoff', 'failed', 'exited', 'stopped'],
  running: ['stopping', 'backoff', 'failed', 'exited'],
  stopping: ['stopped', 'backoff', 'failed', 'exited'],
  backoff: ['starting', 'stopped'],
  exited: ['starting', 'stopped'],
  failed: ['starting', 'stopped'],
};

export const canTransition = (from: ServiceState, to: ServiceState): boolean => TRANSITIONS[from].includes(to);

/** The hook each state emits on entry, besides `service:state` (supervisord's event map). */
export const STATE_HOOKS = {
  running: 'service:started',
  stopping: 'service:stopping',
  stopped: 'service:stopped',
  backoff: 'service:restart',
  failed: 'service:failed',
} as const satisfies Partial<Record<ServiceState, keyof HookMap>>;

type StateHooks = typeof STATE_HOOKS;

/** What a move to `S` carries: the payload of its hook, less the service's name. */
export type TransitionPayload<S extends ServiceState> = S extends keyof StateHooks ? Omit<HookMap[StateHooks[S]], 'service'> : undefined;
type PayloadArgs<S extends ServiceState> = S extends keyof StateHooks ? [payload: TransitionPayload<S>] : [];

/**
 * One service's state, changed only through `transition()`: it checks the move against the
 * table, then emits `service:state` and the hook of the new state, in that order.
 */
export class Lifecycle {
  private current: ServiceState = 'stopped';

  constructor(
    private readonly service: string,
    private readonly hooks: HookBus,
    private readonly onChange: (change: { from: ServiceState; to: ServiceState }) => void = () => undefined,
  ) {}

  get state(): ServiceState {
    return this.current;
  }

  transition<S extends ServiceState>(to: S, ...payload: PayloadArgs<S>): void {
    const from = this.current;
    if (!canTransition(from, to)) {
      throw new ZmartError('ZMART_BAD_TRANSITION', `service ${this.service}: cannot move from ${from} to ${to}`);
    }
    this.current = to;
    void this.hooks.emit('service:state', { service: this.service, from, to });
    const hook = (STATE_HOOKS as Partial<Record<ServiceState, keyof HookMap>>)[to];
    if (hook) void this.hooks.emit(hook, { service: this.service, ...(payload[0] as object) } as never);
    this.onChange({ from, to });
  }
}
