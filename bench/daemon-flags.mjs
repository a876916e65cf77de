// Issue 30, item 5 (first half): the daemon's Node flags against V8's defaults, on the three
// figures together. zmart starts its daemon with --max-semi-space-size=1 --v8-pool-size=1
// --no-opt --no-sparkplug --expose-gc --heap-growing-percent=30 (cli/commands/start-daemon.ts);
// here the same daemon runs with those, with Sparkplug, without --no-opt, and with no flag at
// all, alternated, ROUNDS times each:
// - start: 10 `sleep` services, daemon spawned until all run (as bench/lib/peers.mjs follows it);
// - idle memory: the daemon's RSS 3 s after;
// - log throughput: W4, 200 MB of 100-byte lines and 50 MB of 10-byte lines, timestamps on.
// `node bench/daemon-flags.mjs` after npm run build (Linux: RSS from /proc).
import { readFileSync } from 'node:fs';
import { zmartPeer } from './lib/peers.mjs';
import { sleep } from './lib/util.mjs';
import { w4Logs } from './workloads.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SETS = {
  "zmart's (semi-space 1, pool 1, --no-opt, --no-sparkplug, gc exposed, growing 30 %)": [
    '--max-semi-space-size=1',
    '--v8-pool-size=1',
    '--no-opt',
    '--no-sparkplug',
    '--expose-gc',
    '--heap-growing-percent=30',
  ],
  'with Sparkplug': ['--max-semi-space-size=1', '--v8-pool-size=1', '--no-opt', '--expose-gc', '--heap-growing-percent=30'],
  'without --no-opt': ['--max-semi-space-size=1', '--v8-pool-size=1', '--expose-gc', '--heap-growing-percent=30'],
  "V8's defaults": [],
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

const results = Object.fromEntries(Object.keys(SETS).map((name) => [name, { start: [], rss: [], w4big: [], w4small: [] }]));
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [name, flags] of Object.entries(SETS)) {
    const r = results[name];
    const peer = zmartPeer({ daemonFlags: flags });
    try {
      const services = Array.from({ length: 10 }, (_, i) => ({ name: `s${i}`, argv: ['sleep', '100000'], maxRestarts: 3, restartDelayMs: 100 }));
      const t0 = performance.now();
      const started = peer.start(services);
      if (started.code !== 0) throw new Error(`${name}: ${started.out}`);
      r.start.push(performance.now() - t0);
      await sleep(3000);
      r.rss.push(rssMb(peer.supervisorPid()));
    } finally {
      peer.stop();
    }
    const big = await w4Logs(() => zmartPeer({ daemonFlags: flags }), 200, { lineBytes: 100 });
    const small = await w4Logs(() => zmartPeer({ daemonFlags: flags }), 50, { lineBytes: 10 });
    r.w4big.push(big.mbps);
    r.w4small.push(small.mbps);
    console.log(
      JSON.stringify({
        round,
        name,
        start: Math.round(r.start.at(-1)),
        rss: r.rss.at(-1).toFixed(1),
        w4big: big.mbps.toFixed(0),
        w4small: small.mbps.toFixed(0),
      }),
    );
  }
}
console.log(`\n| daemon flags | start, 10 services (ms) | idle RSS (MB) | 100-byte lines (MB/s) | 10-byte lines (MB/s) |`);
console.log('|---|---|---|---|---|');
for (const [name, r] of Object.entries(results)) {
  const cell = (xs, digits = 0) => `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)})`;
  console.log(`| ${name} | ${cell(r.start)} | ${cell(r.rss, 1)} | ${cell(r.w4big)} | ${cell(r.w4small)} |`);
}
