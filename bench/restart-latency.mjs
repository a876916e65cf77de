#!/usr/bin/env node
// W1: restart latency. A fixture HTTP server under zmart (restart delay 0) is SIGKILLed
// RUNS times; for each kill it measures (a) kill -> a new process is running (its pid file
// names a new live pid) and (b) kill -> /health answers 200 again. Prints median and p95.
// Usage: node bench/restart-latency.mjs [RUNS]   (needs `npm run build` first)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const RUNS = Number(process.argv[2] ?? 20);
const root = resolve(import.meta.dirname, '..');
const cli = join(root, 'dist/bin/zmart.js');
const fixture = join(root, 'test/fixtures/server.mjs');
const dir = mkdtempSync(join(tmpdir(), 'zmart-bench-'));
const env = { ...process.env, ZMART_HOME: join(dir, 'home'), NO_COLOR: '1' };
const port = await new Promise((r) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => r(p));
  });
});
writeFileSync(
  join(dir, 'zmart.config.ts'),
  `import { defineConfig } from 'zmart';
export default defineConfig({ services: {
  api: { command: ${JSON.stringify([process.execPath, fixture, '--port', String(port)])}, port: ${port},
         restart: { maxRestarts: 1000, backoff: { initial: 0, factor: 1, max: 0 }, minUptime: 0 } },
} });\n`,
);
const zmart = (...args) => spawnSync(process.execPath, [cli, ...args], { cwd: dir, env, encoding: 'utf8' });
const pidOf = () => {
  try {
    return Number(readFileSync(join(dir, 'server_pids/api.pid'), 'utf8'));
  } catch {
    return 0;
  }
};
const alive = (pid) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
};
const healthy = () =>
  fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(200) }).then(
    (r) => r.ok,
    () => false,
  );
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], p95: s[Math.min(s.length - 1, Math.floor(s.length * 0.95))] };
};

try {
  const started = zmart('start');
  if (started.status !== 0) throw new Error(started.stdout + started.stderr);
  const running = [];
  const answering = [];
  for (let i = 0; i < RUNS; i += 1) {
    while (!(await healthy())) await new Promise((r) => setTimeout(r, 5));
    const old = pidOf();
    const t0 = performance.now();
    process.kill(old, 'SIGKILL');
    for (;;) {
      const pid = pidOf();
      if (pid && pid !== old && alive(pid)) break;
      await new Promise((r) => setImmediate(r));
    }
    running.push(performance.now() - t0);
    while (!(await healthy())) await new Promise((r) => setTimeout(r, 1));
    answering.push(performance.now() - t0);
  }
  const a = stats(running);
  const b = stats(answering);
  console.log(`W1 restart latency, ${RUNS} SIGKILLs, restart delay 0, node ${process.version}`);
  console.log('supervisor   kill->running median/p95 ms   kill->/health median/p95 ms');
  console.log(`zmart        ${a.median.toFixed(1).padStart(8)} / ${a.p95.toFixed(1).padEnd(14)} ${b.median.toFixed(1).padStart(8)} / ${b.p95.toFixed(1)}`);
} finally {
  zmart('stop');
  rmSync(dir, { recursive: true, force: true });
}
