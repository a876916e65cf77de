/**
 * The signals an operator may send a service by name (`zmart signal`): those daemons listen
 * for (nginx, gunicorn and postgres reload on HUP; gunicorn scales on TTIN/TTOU; USR1/USR2
 * reopen logs or upgrade binaries; WINCH stops nginx's workers). SIGKILL and SIGSTOP are not
 * among them: `zmart stop` and `zmart restart` do that, through the stop policy.
 */
export const OPERATOR_SIGNALS = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGUSR1', 'SIGUSR2', 'SIGTTIN', 'SIGTTOU', 'SIGWINCH', 'SIGCONT'] as const;

export type OperatorSignal = (typeof OPERATOR_SIGNALS)[number];

/** `HUP`, `hup`, `SIGHUP` -> 'SIGHUP'; null for anything not in OPERATOR_SIGNALS (numbers included). */
export function parseSignal(text: string): OperatorSignal | null {
  const upper = text.trim().toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  return (OPERATOR_SIGNALS as readonly string[]).includes(name) ? (name as OperatorSignal) : null;
}

/** Where a signal goes: the service's main process, or every process of its group. */
export type SignalScope = 'main' | 'group';
