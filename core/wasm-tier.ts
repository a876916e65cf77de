import { setFlagsFromString } from 'node:v8';

/**
 * Which of V8's WebAssembly compilers a module gets. V8 decides it when it compiles the module:
 * with dynamic tiering (the default) its hot functions are compiled again by TurboFan; under
 * `--liftoff-only` (which also turns dynamic tiering and tier-up off) it stays on Liftoff,
 * the baseline compiler, for good. TurboFan's compile of undici's HTTP parser (llhttp, ~37 MB
 * of V8 malloc within half a second of the first probe) left the supervisor 10 MB fatter at
 * random; a probe parses a few hundred bytes a second, which Liftoff's code does as well.
 * zmart's stamping kernel, on the other hand, needs TurboFan (Liftoff alone: 72 against
 * 100 MB/s of 10-byte lines).
 *
 * A window sets `--liftoff-only`; closing it sets dynamic tiering back and leaves
 * `--wasm-tier-up` off, which only modules compiled without dynamic tiering read (those of
 * a window: turned on again, it would send them to TurboFan after all). The count of open
 * windows lives in the module because the flags it mirrors are the process's: two owners
 * counting apart would switch them off under each other.
 */
let baselineWindows = 0;
/** The user chose WebAssembly's tiers (NODE_OPTIONS or the command line): zmart leaves them be. */
const setByUser = /liftoff|wasm-(dynamic-)?tier/.test([...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' '));

/** Runs `work` with every WebAssembly module compiled meanwhile left on Liftoff; nests. */
export async function withBaselineWasm<T>(work: () => Promise<T>): Promise<T> {
  if (baselineWindows++ === 0) setLiftoffOnly(true);
  try {
    return await work();
  } finally {
    if (--baselineWindows === 0) setLiftoffOnly(false);
  }
}

/** Compiles `bytes` with both tiers, also inside a window opened by withBaselineWasm. */
export function compileOptimizedWasm(bytes: Uint8Array): object {
  const inWindow = baselineWindows > 0;
  if (inWindow) setLiftoffOnly(false);
  try {
    return new WebAssembly.Module(bytes);
  } finally {
    if (inWindow) setLiftoffOnly(true);
  }
}

function setLiftoffOnly(on: boolean): void {
  if (!setByUser) setFlagsFromString(on ? '--liftoff-only' : '--no-liftoff-only --wasm-dynamic-tiering');
}

// Node has WebAssembly; TypeScript declares it only in the DOM's lib, so the part used here.
declare const WebAssembly: { Module: new (bytes: Uint8Array) => object };
