#!/usr/bin/env node
// The watch plugin's idle cost: a service watches a tree of FILES files (default 10,000 in
// 100 folders); the daemon's CPU is read from /proc over SECONDS (default 20) once the watch
// is set up, with nothing changing. Then one change is made and the restart it causes timed.
// Usage: node bench/watch.mjs [FILES] [SECONDS]   (needs `npm run build` first)
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const FILES = Number(process.argv[2] ?? 10_000);
const SECONDS = Number(process.argv[3] ?? 20);
const root = resolve(import.meta.dirname, '..');
const cli = join(root, 'dist/bin/zmart.cjs');
const fixture = join(root, 'test/fixtures/server.mjs');
const dir = mkdtempSync(join(tmpdir(), 'zmart-bench-watch-'));
const env = { ...process.env, ZMART_HOME: join(dir, 'home'), NO_COLOR: '1' };
const run = (...args) => spawnSync(process.execPath, [cli, ...args], { cwd: dir, env, encoding: 'utf8' });
const ticks = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks (100 a second)
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

for (let d = 0; d < 100; d += 1) {
  mkdirSync(join(dir, 'tree', `d${d}`), { recursive: true });
  for (let f = 0; f < FILES / 100; f += 1) writeFileSync(join(dir, 'tree', `d${d}`, `f${f}.txt`), 'x');
}
writeFileSync(
  join(dir, 'zmart.config.ts'),
  `import { defineConfig } from 'zmart';
export default defineConfig({ services: { api: { command: ${JSON.stringify([process.execPath, fixture])}, readyAfter: 0, watch: { paths: ['tree'], debounce: '100ms' } } } });\n`,
);
try {
  const started = run('start');
  if (started.status !== 0) throw new Error(`zmart start: ${started.stdout}${started.stderr}`);
  const daemon = Number(readFileSync(join(dir, 'server_pids/monitor.pid'), 'utf8'));
  const s0 = ticks(daemon);
  await sleep(Number(process.env.WATCH_SETTLE_MS ?? 15_000)); // chokidar's initial scan of the tree
  const scanCpu = (ticks(daemon) - s0) / 100;
  const t0 = ticks(daemon);
  const w0 = Date.now();
  await sleep(SECONDS * 1000);
  const cpu = ((ticks(daemon) - t0) / 100 / ((Date.now() - w0) / 1000)) * 100;
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${daemon}/status`, 'utf8'))[1]) / 1024;
  const before = Number(readFileSync(join(dir, 'server_pids/api.pid'), 'utf8'));
  const c0 = Date.now();
  writeFileSync(join(dir, 'tree/d42/f7.txt'), 'changed');
  let after = before;
  while (after === before && Date.now() - c0 < 10_000) {
    await sleep(10);
    try {
      after = Number(readFileSync(join(dir, 'server_pids/api.pid'), 'utf8'));
    } catch {
      // between the stop and the new start
    }
  }
  console.log(`watch: ${FILES} files in 100 folders watched by one service`);
  console.log(
    `  daemon CPU in the first ${(Number(process.env.WATCH_SETTLE_MS ?? 15_000) / 1000).toFixed(0)} s after start (the initial scan): ${scanCpu.toFixed(2)} s`,
  );
  console.log(`  daemon CPU while idle: ${cpu.toFixed(2)} % of one core over ${SECONDS} s; daemon RSS ${rss.toFixed(1)} MB`);
  console.log(`  one change -> the new process (debounce 100 ms): ${after === before ? 'no restart within 10 s' : `${Date.now() - c0} ms`}`);
} finally {
  run('stop');
  rmSync(dir, { recursive: true, force: true });
}
