#!/usr/bin/env node
// What the views cost (issue 18): the daemon's RSS and idle CPU at N probed services with the
// built-in plugins alone and with metrics + history + dashboard added, and the daemon's CPU
// per /metrics scrape at N services. ZMART_ROOT points at another checkout (built) to compare
// with an earlier zmart (with VIEWS=0: the built-ins alone). Usage: N=10 node bench/views.mjs   (needs `npm run build`)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURE, freePort, run, schedCpuMs, sleep, table, tempDir, waitUntil } from './lib/util.mjs';

const N = Number(process.env.N ?? 10);
const SCRAPES = Number(process.env.SCRAPES ?? 100);
const SPACED = Number(process.env.SPACED ?? 15);
const SPACED_MS = Number(process.env.SPACED_MS ?? 2000);
const ROOT = process.env.ZMART_ROOT ?? join(import.meta.dirname, '..');
const ZMART = join(ROOT, 'dist/bin/zmart.cjs');
const cpuMs = schedCpuMs;
const rssMb = (pid) => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(views) {
  const dir = tempDir('zmart-views-');
  const env = { ...process.env, ZMART_HOME: join(dir, 'home'), NO_COLOR: '1' };
  const ports = [];
  for (let i = 0; i < N; i += 1) ports.push(await freePort());
  const [metricsPort, dashboardPort] = [await freePort(), await freePort()];
  const services = ports.map(
    (p, i) =>
      `s${i}: { command: ${JSON.stringify([process.execPath, FIXTURE, '--port', String(p)])}, port: ${p}, health: { path: '/health', interval: '1s' } }`,
  );
  const imports = ['health-http', 'port-guard', 'memory-guard', 'log-rotate', 'alerts', 'watch', ...(views ? ['metrics', 'history', 'dashboard'] : [])];
  const name = (p) => p.replace(/-(.)/g, (_, c) => c.toUpperCase());
  const options = { metrics: `{ listen: '127.0.0.1:${metricsPort}' }`, dashboard: `{ listen: '127.0.0.1:${dashboardPort}' }` };
  writeFileSync(
    join(dir, 'zmart.config.ts'),
    `import { defineConfig } from 'zmart';\n${imports.map((p) => `import ${name(p)} from 'zmart/plugins/${p}';`).join('\n')}\nexport default defineConfig({ services: { ${services.join(',\n')} },\n  plugins: [${imports.map((p) => `${name(p)}(${options[p] ?? ''})`).join(', ')}] });\n`,
  );
  const zmart = (...args) => run(process.execPath, [ZMART, ...args], { cwd: dir, env });
  const started = zmart('start', '--wait', '60s');
  if (started.code !== 0) throw new Error(started.out);
  const pid = Number(readFileSync(join(dir, 'server_pids', 'monitor.pid'), 'utf8'));
  try {
    await sleep(10_000);
    const rss = [];
    const t0 = cpuMs(pid);
    for (let i = 0; i < 10; i += 1) {
      rss.push(rssMb(pid));
      await sleep(1000);
    }
    const idle = (cpuMs(pid) - t0) / 100; // % of a core over 10 s
    let scrape = null;
    if (views) {
      await waitUntil(async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).ok, 10_000, 100);
      const before = cpuMs(pid);
      const wall = performance.now();
      for (let i = 0; i < SCRAPES; i += 1) await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      scrape = { cpuMs: (cpuMs(pid) - before) / SCRAPES, wallMs: (performance.now() - wall) / SCRAPES };
      // Then as Prometheus scrapes: apart, each after every service was probed again and the
      // daemon's caches were taken by other work (on this VM the same work costs 2-7x more
      // after a pause). Each scrape's window also holds the probes that fall in it.
      const spaced = [];
      for (let i = 0; i < SPACED; i += 1) {
        await sleep(SPACED_MS);
        const start = cpuMs(pid);
        await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
        spaced.push(cpuMs(pid) - start);
      }
      scrape.spacedMs = median(spaced);
    }
    return { rss: median(rss), idle, scrape };
  } finally {
    zmart('stop');
  }
}

const plain = await measure(false);
// VIEWS=0: the built-ins alone (an earlier zmart, through ZMART_ROOT, has no views to add)
const views = process.env.VIEWS === '0' ? null : await measure(true);
table(
  `zmart at ${N} probed services (1 s probes), 10 s after start: daemon RSS (median of 10 readings) and CPU over 10 s; /metrics scrape: daemon CPU per scrape (${SCRAPES} in a row)`,
  ['plugins', 'RSS MB', 'CPU % of a core', 'scrape CPU ms', 'scrape wall ms', `scrape CPU ms, ${SPACED_MS / 1000} s apart (median)`],
  [
    ['built-ins', plain.rss.toFixed(1), plain.idle.toFixed(2), '-', '-', '-'],
    ...(views
      ? [
          [
            'built-ins + metrics + history + dashboard',
            views.rss.toFixed(1),
            views.idle.toFixed(2),
            views.scrape.cpuMs.toFixed(2),
            views.scrape.wallMs.toFixed(2),
            views.scrape.spacedMs.toFixed(2),
          ],
        ]
      : []),
  ],
);
