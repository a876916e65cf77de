import { performance } from 'node:perf_hooks';
import type { Scheduler } from './di/contracts.js';
import type { AwaitedHook, HookHandler, HookMap, HookName } from './hooks.js';
import { withDeadline } from './plugin-guard/deadline.js';

type Entry = { owner: string; fn: HookHandler<any> };

/** Told about a handler that threw, with the name of the plugin that registered it. */
export type HookErrorReporter = (error: unknown, where: { hook: HookName; owner: string }) => void;

/** Told how long each handler held the event loop (the stall watchdog). */
export type HookTimer = (owner: string, hook: HookName, ms: number) => void;

/**
 * The typed hook bus. A registration returns its own unregister function. A handler that
 * throws (or rejects) is reported with its owner's name and stops no other handler. Every
 * handler call is timed for the watchdog.
 */
export class HookBus {
  private readonly entries = new Map<HookName, Entry[]>();

  constructor(
    private readonly reportError: HookErrorReporter,
    private readonly timed: HookTimer = () => undefined,
  ) {}

  on<K extends HookName>(name: K, fn: HookHandler<K>, owner = 'core'): () => void {
    const entry: Entry = { owner, fn };
    this.entries.set(name, [...(this.entries.get(name) ?? []), entry]);
    return () => {
      this.entries.set(
        name,
        (this.entries.get(name) ?? []).filter((e) => e !== entry),
      );
    };
  }

  /**
   * Calls every handler in registration order; resolves once async handlers settle. Never
   * rejects. For fire-and-forget hooks: the supervisor does not wait on it (`void emit`).
   */
  emit<K extends HookName>(name: K, payload: HookMap[K]): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const entry of this.entries.get(name) ?? []) {
      const result = this.invoke(name, entry, payload);
      if (result) pending.push(result);
    }
    return Promise.all(pending).then(() => undefined);
  }

  /**
   * An awaited hook: calls every handler (each may get its own payload, `payload(owner)`) and
   * waits for them until `deadlineMs`. Resolves with the owners whose handlers had not settled
   * by then; their promises are left behind. Never rejects.
   */
  async call<K extends AwaitedHook>(
    name: K,
    payload: HookMap[K] | ((owner: string) => HookMap[K]),
    deadline: { ms: number; scheduler: Scheduler },
  ): Promise<string[]> {
    const pending: Array<{ owner: string; done: Promise<void> }> = [];
    for (const entry of this.entries.get(name) ?? []) {
      const given = typeof payload === 'function' ? (payload as (owner: string) => HookMap[K])(entry.owner) : payload;
      const result = this.invoke(name, entry, given);
      if (result) pending.push({ owner: entry.owner, done: result });
    }
    if (pending.length === 0) return [];
    const outcomes = await Promise.all(pending.map(({ done }) => withDeadline(done, deadline.ms, deadline.scheduler)));
    return pending.filter((_, i) => !outcomes[i]!.settled).map((p) => p.owner);
  }

  /** Drops every handler registered by `owner` (a plugin being torn down or set aside). */
  removeOwner(owner: string): void {
    for (const [name, list] of this.entries)
      this.entries.set(
        name,
        list.filter((e) => e.owner !== owner),
      );
  }

  /** Runs one handler, timed and caught; returns its promise (caught) when it is async. */
  private invoke(name: HookName, { owner, fn }: Entry, payload: unknown): Promise<void> | undefined {
    const started = performance.now();
    try {
      const result = fn(payload);
      if (result && typeof (result as Promise<void>).then === 'function') {
        return (result as Promise<void>).then(
          () => undefined,
          (error) => this.reportError(error, { hook: name, owner }),
        );
      }
    } catch (error) {
      this.reportError(error, { hook: name, owner });
    } finally {
      this.timed(owner, name, performance.now() - started);
    }
    return undefined;
  }
}
