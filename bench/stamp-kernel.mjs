// Issue 30, item 5 (second half): the WebAssembly stamping kernel (core/logging/stamp-kernel.ts)
// against the plain JavaScript copy it falls back to (ZMART_STAMP_KERNEL=off), through the whole
// daemon as zmart starts it: W4, 200 MB of 100-byte lines and 50 MB of 10-byte lines, timestamps
// on, alternated, ROUNDS times each, with zmart's daemon flags (--no-opt) and with V8's defaults.
// `node bench/stamp-kernel.mjs` after npm run build.
import { zmartPeer } from './lib/peers.mjs';
import { w4Logs } from './workloads.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// the kernel was said to make up for --no-opt (no optimizing compiler for the JavaScript copy):
// each way of stamping with zmart's daemon flags and with V8's defaults
const ZMART_FLAGS = null; // as `zmart start` runs it
const CASES = {
  'kernel, zmart flags (--no-opt)': { kernel: true, flags: ZMART_FLAGS },
  'plain JavaScript, zmart flags (--no-opt)': { kernel: false, flags: ZMART_FLAGS },
  "kernel, V8's defaults": { kernel: true, flags: [] },
  "plain JavaScript, V8's defaults": { kernel: false, flags: [] },
};
const results = Object.fromEntries(Object.keys(CASES).map((name) => [name, { big: [], small: [] }]));
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [name, { kernel, flags }] of Object.entries(CASES)) {
    // the peer's daemon inherits this process's environment
    if (kernel) delete process.env.ZMART_STAMP_KERNEL;
    else process.env.ZMART_STAMP_KERNEL = 'off';
    const peer = () => zmartPeer({ daemonFlags: flags });
    const big = await w4Logs(peer, 200, { lineBytes: 100 });
    const small = await w4Logs(peer, 50, { lineBytes: 10 });
    for (const r of [big, small]) if (r.lost || r.broken || r.doubled) throw new Error(`${name}: lines lost, broken or doubled: ${JSON.stringify(r)}`);
    results[name].big.push(big.mbps);
    results[name].small.push(small.mbps);
    console.log(JSON.stringify({ round, name, big: big.mbps.toFixed(0), small: small.mbps.toFixed(0) }));
  }
}
delete process.env.ZMART_STAMP_KERNEL;
const cell = (xs) => `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`;
console.log('\n| stamping | 100-byte lines (MB/s) | 10-byte lines (MB/s) |');
console.log('|---|---|---|');
for (const [name, r] of Object.entries(results)) console.log(`| ${name} | ${cell(r.big)} | ${cell(r.small)} |`);
