/**
 * Takes Ctrl-C (SIGINT) for a while, instead of Node's default (exit at once, saying nothing):
 * `came` says whether one came, `comes` resolves when it does, `end()` gives SIGINT back to the
 * default. `zmart start` ends its wait for the services with it (the supervisor goes on).
 */
export interface CtrlC {
  readonly came: boolean;
  comes: Promise<void>;
  end(): void;
}

export function takeCtrlC(): CtrlC {
  let taken: () => void = () => undefined;
  const state = {
    came: false,
    comes: new Promise<void>((resolve) => (taken = resolve)),
    end: () => process.off('SIGINT', onSignal),
  };
  const onSignal = () => {
    state.came = true;
    state.end();
    taken();
  };
  process.on('SIGINT', onSignal);
  return state;
}
