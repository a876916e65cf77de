#!/usr/bin/env node
// How far the supervisor's heap grows between full collections with N services probed each
// second (issue 30, item 2). Probing promotes short-lived objects to the old generation, which
// V8 lets grow by up to 4x its live size before a mark-compact: the daemon's RSS saws between
// its live size and several times it. zmart caps the growing factor (--heap-growing-percent=30,
// cli/commands/start-daemon.ts); here the daemon runs with zmart's flags and without that cap,
// alternated ROUNDS times; its RSS is read every second
// from 10 s after every service ran, for SECONDS: mean and max, and its CPU over that window.
// Usage: N=100 node bench/heap-growth.mjs   (needs `npm run build`; ROUNDS=2, SECONDS=60)
import { readFileSync } from 'node:fs';
import { zmartPeer } from './lib/peers.mjs';
import { FIXTURE, freePort, schedCpuMs, sleep, table } from './lib/util.mjs';

const N = Number(process.env.N ?? 100);
const ROUNDS = Number(process.env.ROUNDS ?? 2);
const SECONDS = Number(process.env.SECONDS ?? 60);
const UNCAPPED = ['--max-semi-space-size=1', '--v8-pool-size=1', '--no-opt', '--no-sparkplug', '--expose-gc'];
const SETS = {
  "zmart's flags (growing capped at 30 %)": [...UNCAPPED, '--heap-growing-percent=30'],
  'without the cap': UNCAPPED,
};
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const results = Object.fromEntries(Object.keys(SETS).map((name) => [name, { mean: [], max: [], cpu: [] }]));
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [name, flags] of Object.entries(SETS)) {
    const peer = zmartPeer({ daemonFlags: flags });
    try {
      const services = [];
      for (let i = 0; i < N; i += 1) {
        const port = await freePort();
        services.push({ name: `s${i}`, argv: [process.execPath, FIXTURE, '--port', String(port)], port, maxRestarts: 3, restartDelayMs: 100 });
      }
      const started = peer.start(services, { health: true, healthInterval: '1s' });
      if (started.code !== 0) throw new Error(`${name}: ${started.out}`);
      const pid = peer.supervisorPid();
      await sleep(10_000);
      const readings = [];
      const cpu0 = schedCpuMs(pid);
      for (let s = 0; s < SECONDS; s += 1) {
        readings.push(rssMb(pid));
        await sleep(1000);
      }
      const r = results[name];
      r.mean.push(readings.reduce((a, b) => a + b, 0) / readings.length);
      r.max.push(Math.max(...readings));
      r.cpu.push(((schedCpuMs(pid) - cpu0) / (SECONDS * 1000)) * 100);
      console.error(
        `round ${round + 1}, ${name}: mean ${r.mean.at(-1).toFixed(1)} MB, max ${r.max.at(-1).toFixed(1)} MB, ${r.cpu.at(-1).toFixed(2)} % of a core`,
      );
    } finally {
      peer.stop();
    }
  }
}
table(
  `the daemon at ${N} services probed each second, RSS read each second for ${SECONDS} s from 10 s after all ran; median of ${ROUNDS} rounds`,
  ['daemon flags', 'RSS mean MB', 'RSS max MB', 'CPU % of a core'],
  Object.entries(results).map(([name, r]) => [name, median(r.mean).toFixed(1), median(r.max).toFixed(1), median(r.cpu).toFixed(2)]),
);
