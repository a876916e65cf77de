import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { compileOptimizedWasm, withBaselineWasm } from '../../../core/wasm-tier.js';

// V8's own probes of a function's tier, available once natives syntax is allowed.
setFlagsFromString('--allow-natives-syntax');
const isTurboFan = new Function('f', 'return %IsTurboFanFunction(f)') as (f: Spin) => boolean;
const isLiftoff = new Function('f', 'return %IsLiftoffFunction(f)') as (f: Spin) => boolean;

type Spin = (n: number) => number;
declare const WebAssembly: { Module: new (bytes: Uint8Array) => object; Instance: new (module: object) => { exports: { spin: Spin } } };

/**
 * `spin(n)` adds `k` n times. V8 keeps one compiled module per distinct bytes, so each case
 * gets its own `k`, and so its own compile.
 */
function spinModule(k: number): Uint8Array {
  // (func (param i32) (result i32) (local i32) (loop local1 += k; br_if (local0 -= 1)) local1)
  const body = [1, 1, 0x7f, 0x03, 0x40, 0x20, 1, 0x41, k, 0x6a, 0x21, 1, 0x20, 0, 0x41, 1, 0x6b, 0x22, 0, 0x0d, 0, 0x0b, 0x20, 1, 0x0b];
  const header = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0];
  const types = [1, 6, 1, 0x60, 1, 0x7f, 1, 0x7f];
  const exports = [3, 2, 1, 0, 7, 8, 1, 4, ...Buffer.from('spin'), 0, 0];
  return Uint8Array.from([...header, ...types, ...exports, 0x0a, body.length + 2, 1, body.length, ...body]);
}

const instantiate = (module: object): Spin => new WebAssembly.Instance(module).exports.spin;

/** Calls `spin` until TurboFan has compiled it (within 10 s); how many calls that took. */
function callsUntilTurboFan(spin: Spin): number {
  const deadline = performance.now() + 10_000;
  let calls = 0;
  for (; !isTurboFan(spin) && performance.now() < deadline; calls++) spin(10_000);
  return calls;
}

describe('WebAssembly tiers', () => {
  it('keeps a module compiled inside a window on Liftoff, however hot, and gives modules compiled after it TurboFan', async () => {
    const plain = instantiate(new WebAssembly.Module(spinModule(1)));
    const calls = callsUntilTurboFan(plain);
    expect(isTurboFan(plain)).toBe(true);

    const baseline = await withBaselineWasm(async () => instantiate(new WebAssembly.Module(spinModule(2))));
    for (let i = 0; i < calls * 4 + 100; i++) baseline(10_000);
    expect(isLiftoff(baseline)).toBe(true);
    expect(isTurboFan(baseline)).toBe(false);

    const after = instantiate(new WebAssembly.Module(spinModule(3)));
    callsUntilTurboFan(after);
    expect(isTurboFan(after)).toBe(true);
  });

  it('gives TurboFan to what compileOptimizedWasm compiles inside a window, and keeps the window', async () => {
    const [optimized, baseline] = await withBaselineWasm(async () => {
      const optimized = instantiate(compileOptimizedWasm(spinModule(4)));
      return [optimized, instantiate(new WebAssembly.Module(spinModule(5)))];
    });
    const calls = callsUntilTurboFan(optimized);
    expect(isTurboFan(optimized)).toBe(true);
    for (let i = 0; i < calls * 4 + 100; i++) baseline(10_000);
    expect(isTurboFan(baseline)).toBe(false);
  });

  it('closes a window whose work failed, and only the last of nested windows', async () => {
    const inner = withBaselineWasm(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return instantiate(new WebAssembly.Module(spinModule(6)));
    });
    await expect(withBaselineWasm(() => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    const stillInWindow = await inner;
    const after = instantiate(new WebAssembly.Module(spinModule(7)));
    const calls = callsUntilTurboFan(after);
    expect(isTurboFan(after)).toBe(true);
    for (let i = 0; i < calls * 4 + 100; i++) stillInWindow(10_000);
    expect(isTurboFan(stillInWindow)).toBe(false);
  });
});
