import { createRequire } from 'node:module';
import { withBaselineWasm } from '../wasm-tier.js';

type Dispatcher = import('undici').Dispatcher;
export type UndiciRequest = (this: Dispatcher, options: Parameters<Dispatcher['request']>[0]) => ReturnType<Dispatcher['request']>;

/**
 * The one place zmart reaches past undici's public entry, and why: `require('undici')` loads
 * its whole index (fetch, WebSocket, caches, mocks: ~19 MB resident in the supervisor), where
 * probes and webhooks need its Agent and `request` alone (~8 MB). These are the very modules
 * the index exports (`Agent` is the same class; the index's `request` wraps this one). The
 * test beside it (test/unit/core/http/undici-lean.test.ts) fails when either moves, so an
 * upgrade that moves them is caught before it ships. Loaded the first time something is
 * probed or posted.
 */
export function loadUndiciLean(): { Agent: new (options: object) => Dispatcher; request: UndiciRequest } {
  const require = createRequire(import.meta.url);
  return { Agent: require('undici/lib/dispatcher/agent'), request: require('undici/lib/api/api-request') };
}

/** Whether a request of this process has been answered: undici's parser is compiled by then. */
let parserCompiled = false;

/**
 * Sends `send`'s request with undici's HTTP parser left on Liftoff (see core/wasm-tier.ts)
 * until one request has been answered. undici compiles the parser, once per process and
 * synchronously, when its first HTTP/1 connection opens (`lazyllhttp` in
 * lib/dispatcher/client-h1.js), which lies between sending the first request and its answer.
 * Should an upgrade move that compile elsewhere, the parser only gets TurboFan again.
 */
export function parserOnBaseline<T>(send: () => Promise<T>): Promise<T> {
  if (parserCompiled) return send(); // every later request: no window, no extra promise
  return withBaselineWasm(send).then((answer) => {
    parserCompiled = true;
    return answer;
  });
}
