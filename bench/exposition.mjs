#!/usr/bin/env node
// The metrics plugin's scrape without a daemon, sockets or /proc (issue 18): the fleet registry
// of plugins/metrics over N fake services, each probed once between two scrapes (every family
// that can change does), memory and CPU new each time. CPU per scrape, the probes not counted.
// PAUSE_MS waits between scrapes (what a Prometheus interval does to the caches of this VM);
// BUSY=1 spins through the pause instead of sleeping. Run under the daemon's V8 flags:
//   node --no-opt --no-sparkplug --max-semi-space-size=1 --v8-pool-size=1 bench/exposition.mjs
// It reads the TypeScript source through jiti (no build needed).
import { createJiti } from 'jiti';

const N = Number(process.env.N ?? 100);
const SCRAPES = Number(process.env.SCRAPES ?? 200);
const PAUSE_MS = Number(process.env.PAUSE_MS ?? 0);
const BUSY = process.env.BUSY === '1';

const jiti = createJiti(import.meta.url);
const { fleetRegistry } = await jiti.import('../plugins/metrics/registry.ts');
const { DEFAULTS } = await jiti.import('../plugins/metrics/options.ts');
const { parseDuration } = await jiti.import('../core/units.ts');

const services = Array.from({ length: N }, (_, i) => ({ name: `s${i}`, state: 'running', health: 'healthy', ready: true, startedAt: Date.now() - 1000 * i }));
const hooks = new Map();
const ctx = {
  services: () => services,
  processes: { usage: async () => ({ rssBytes: 30e6 + Math.random() * 1e6, cpuPercent: Math.random(), processes: [] }) },
  on: (hook, handler) => {
    hooks.set(hook, handler);
    return () => {};
  },
  clock: { now: () => Date.now() },
  logFiles: { counters: () => ({ bytesWritten: 0, linesDropped: 0 }) },
};
const fleet = fleetRegistry(ctx, { probeBuckets: DEFAULTS.probeBuckets.map((d) => parseDuration(d) / 1000) });
const probeAll = () => {
  for (const s of services) hooks.get('service:probe')({ service: s.name, ok: true, durationMs: Math.random() * 30 });
};
const pause = async () => {
  if (PAUSE_MS === 0) return;
  if (!BUSY) return new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  const end = Date.now() + PAUSE_MS;
  let x = 0;
  while (Date.now() < end) x += Math.sqrt(x + 1);
};

for (let i = 0; i < 30; i += 1) {
  probeAll();
  await fleet.scrape();
}
const costs = [];
let chars = 0;
for (let i = 0; i < SCRAPES; i += 1) {
  probeAll();
  await pause();
  const before = process.cpuUsage();
  chars = (await fleet.scrape()).length;
  const used = process.cpuUsage(before);
  costs.push((used.user + used.system) / 1000);
}
costs.sort((a, b) => a - b);
const at = (q) => costs[Math.min(costs.length - 1, Math.floor(q * costs.length))].toFixed(2);
console.log(
  `${N} services, ${SCRAPES} scrapes${PAUSE_MS ? `, ${PAUSE_MS} ms ${BUSY ? 'spinning' : 'asleep'} before each` : ' in a row'}: CPU per scrape median ${at(0.5)} ms, p90 ${at(0.9)} ms (${chars} characters)`,
);
