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

/** What a dependant waits on: a service, or a replicated service's replicas. */
export interface Awaited {
  state: string;
  ready: boolean;
  until(done: () => boolean): Promise<void>;
}

/**
 * Waits until one of `peers` meets the dependant's condition (`healthy`: ready; `started`:
 * running), or every one rests (failed, exited, stopped): true when one met it. A dependant of a
 * replicated service needs one of its replicas, whichever it is.
 */
export async function oneMeets(peers: Awaited[], condition: 'healthy' | 'started'): Promise<boolean> {
  const met = (p: Awaited) => (condition === 'healthy' ? p.ready : p.state === 'running');
  const done = () => peers.some(met) || peers.every((p) => settled(p.state));
  await Promise.race(peers.map((p) => p.until(done)));
  return peers.some(met);
}
