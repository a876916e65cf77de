#!/usr/bin/env node
// W3: how long `zmart status` takes, next to `node -e 0` on the same machine.
// Starts a two-service fleet in a temp folder (its own ZMART_HOME), times each command
// RUNS times after a warm-up, prints median and p95 and the ratio to `node -e 0`, then stops
// the fleet. Usage: node bench/status.mjs [RUNS]   (needs `npm run build` first)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const RUNS = Number(process.argv[2] ?? 30);
const root = resolve(import.meta.dirname, '..');
const cli = join(root, 'dist/bin/zmart.cjs');
const fixture = join(root, 'test/fixtures/server.mjs');
const dir = mkdtempSync(join(tmpdir(), 'zmart-bench-'));
const env = { ...process.env, ZMART_HOME: join(dir, 'home'), NO_COLOR: '1' };
writeFileSync(
  join(dir, 'zmart.config.ts'),
  `import { defineConfig } from 'zmart';
export default defineConfig({ services: {
  api: { command: ${JSON.stringify([process.execPath, fixture])} },
  web: { command: ${JSON.stringify([process.execPath, fixture])} },
} });\n`,
);
const run = (args) => spawnSync(process.execPath, args, { cwd: dir, env, encoding: 'utf8' });

function time(args) {
  run(args); // warm the file cache
  const samples = [];
  for (let i = 0; i < RUNS; i += 1) {
    const t0 = process.hrtime.bigint();
    const result = run(args);
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (result.status !== 0 && result.status !== 3 && args[0] !== '-e') throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)], p95: samples[Math.min(samples.length - 1, Math.floor(samples.length * 0.95))] };
}

try {
  const started = run([cli, 'start']);
  if (started.status !== 0) throw new Error(`zmart start failed: ${started.stdout}${started.stderr}`);
  const base = time(['-e', '0']);
  const rows = [
    ['node -e 0', base],
    ['zmart status', time([cli, 'status'])],
    ['zmart status --json', time([cli, 'status', '--json'])],
    ['zmart status (no daemon)', null],
  ];
  run([cli, 'stop']);
  rows[3][1] = time([cli, 'status']);
  console.log(`W3 status latency, ${RUNS} runs each, node ${process.version}`);
  console.log('command                      median ms   p95 ms   x node -e 0');
  for (const [name, t] of rows) {
    console.log(`${name.padEnd(28)} ${t.median.toFixed(1).padStart(9)} ${t.p95.toFixed(1).padStart(8)} ${(t.median / base.median).toFixed(2).padStart(13)}`);
  }
} finally {
  run([cli, 'stop']);
  rmSync(dir, { recursive: true, force: true });
}
