import { ZmartError } from '../errors.js';
import type { ServiceState } from './types.js';

/**
 * Every move a service may make. Anything else is a bug in core and throws.
 *   stopped  -> starting                      (start)
 *   starting -> running | backoff | failed | exited | stopping
 *   running  -> stopping | backoff | failed | exited   (stop, or the process died)
 *   stopping -> stopped | backoff | starting  (stopped; or stopped to be restarted)
 *   backoff  -> starting | stopped | failed   (delay over; operator stop)
 *   exited, failed -> starting | stopped      (operator start or restart)
 */
export const TRANSITIONS: Readonly<Record<ServiceState, readonly ServiceState[]>> = {
  stopped: ['starting'],
  starting: ['running', 'backoff', 'failed', 'exited', 'stopping'],
  running: ['stopping', 'backoff', 'failed', 'exited'],
  stopping: ['stopped', 'backoff', 'starting'],
  backoff: ['starting', 'stopped', 'failed'],
  exited: ['starting', 'stopped'],
  failed: ['starting', 'stopped'],
};

export const canTransition = (from: ServiceState, to: ServiceState): boolean => TRANSITIONS[from].includes(to);

/** One service's state, changed only through `transition()`, which checks the move and reports it. */
export class StateMachine {
  private current: ServiceState = 'stopped';

  constructor(
    private readonly service: string,
    private readonly onChange: (change: { from: ServiceState; to: ServiceState }) => void,
  ) {}

  get state(): ServiceState {
    return this.current;
  }

  transition(to: ServiceState): void {
    const from = this.current;
    if (!canTransition(from, to)) {
      throw new ZmartError('ZMART_BAD_TRANSITION', `service ${this.service}: cannot move from ${from} to ${to}`);
    }
    this.current = to;
    this.onChange({ from, to });
  }
}
