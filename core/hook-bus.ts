import type { HookHandler, HookMap, HookName } from './hooks.js';

type Entry = { owner: string; fn: HookHandler<any> };

/** Told about a handler that threw, with the name of the plugin that registered it. */
export type HookErrorReporter = (error: unknown, where: { hook: HookName; owner: string }) => void;

/**
 * The typed hook bus. A registration returns its own unregister function. A handler that
 * throws (or rejects) is reported with its owner's name and stops no other handler.
 */
export class HookBus {
  private readonly entries = new Map<HookName, Entry[]>();

  constructor(private readonly reportError: HookErrorReporter) {}

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

  /** Calls every handler in registration order; resolves once async handlers settle. Never rejects. */
  emit<K extends HookName>(name: K, payload: HookMap[K]): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const { owner, fn } of this.entries.get(name) ?? []) {
      try {
        const result = fn(payload);
        if (result && typeof (result as Promise<void>).then === 'function') {
          pending.push((result as Promise<void>).catch((error) => this.reportError(error, { hook: name, owner })));
        }
      } catch (error) {
        this.reportError(error, { hook: name, owner });
      }
    }
    return Promise.all(pending).then(() => undefined);
  }

  /** Drops every handler registered by `owner` (a plugin being torn down). */
  removeOwner(owner: string): void {
    for (const [name, list] of this.entries)
      this.entries.set(
        name,
        list.filter((e) => e.owner !== owner),
      );
  }
}
