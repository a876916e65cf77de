/** What a start reports: the services that came up, and why each other did not. */
export interface StartReport {
  up: string[];
  down: Array<{ name: string; why: string }>;
}

export interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

/** Promise.withResolvers, which Node 20 lacks. */
export function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A state a service rests in: what a start stops waiting on. */
export const settled = (state: string) => state === 'failed' || state === 'exited' || state === 'stopped';
