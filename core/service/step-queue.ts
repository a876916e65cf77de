const noop = () => undefined;

/**
 * Runs steps one at a time, in the order they were queued: what keeps a service's operator
 * commands, restart requests, exits and backoff ends from interleaving.
 */
export class StepQueue {
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly onError: (error: unknown) => void) {}

  /** Queues a step; the promise settles when it has run. */
  run(step: () => Promise<void>): Promise<void> {
    const run = this.tail.then(step);
    this.tail = run.then(noop, noop);
    return run;
  }

  /** Queues a step nobody awaits (an exit, the end of a backoff): an error in it goes to `onError`, never unhandled. */
  background(step: () => Promise<void>): void {
    this.run(step).catch(this.onError);
  }

  /** Resolves once every step queued so far has run. */
  idle(): Promise<void> {
    return this.tail;
  }
}
