#!/usr/bin/env node
// Issue 19: what each process backend costs at N services (default 100 `sleep` services):
//  - a status call: `zmart status --json` wall time (median of RUNS), and the daemon's CPU per
//    call, its own and its children's (ps and lsof run as children with the portable backend);
//  - a sampling round: memory and CPU of every service's tree, as memory-guard and the views
//    take it (one snapshot a round, shared), wall time and CPU of this process and its children.
// Each backend runs in a process of its own (the table is picked once per process), forced
// with ZMART_PROC_BACKEND. Usage: N=100 RUNS=30 node bench/backends.mjs   (after npm run build)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const N = Number(process.env.N ?? 100);
const RUNS = Number(process.env.RUNS ?? 30);
const root = resolve(import.meta.dirname, '..');
const cli = join(root, 'dist/bin/zmart.cjs');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** CPU ms of a process and of the children it has waited for (utime, stime, cutime, cstime). */
function cpuMs(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { own: (Number(f[11]) + Number(f[12])) * 10, children: (Number(f[13]) + Number(f[14])) * 10 };
}

if (process.argv[2] === '--round') {
  // One backend, in this process: N sleeps, RUNS rounds.
  const { TreeSampler } = await import('../dist/core/process/tree-sampler.js');
  const { readAllStats, readStat } = await import('../dist/core/process/proc.js');
  const kids = Array.from({ length: N }, () => spawn('sleep', ['300'], { stdio: 'ignore', detached: true }));
  try {
    await new Promise((r) => setTimeout(r, 500));
    const leaders = kids.map((c) => ({ pid: c.pid, startTime: readStat(c.pid).startTime }));
    const sampler = new TreeSampler();
    const walls = [];
    const c0 = cpuMs(process.pid);
    for (let i = 0; i < RUNS; i += 1) {
      const t0 = performance.now();
      let snapshot = null;
      const shared = () => (snapshot ??= readAllStats());
      for (const [k, l] of leaders.entries()) if (!sampler.sample(`s${k}`, l, Date.now(), shared)) throw new Error(`no sample for ${l.pid}`);
      walls.push(performance.now() - t0);
    }
    const c1 = cpuMs(process.pid);
    console.log(JSON.stringify({ wall: median(walls), own: (c1.own - c0.own) / RUNS, children: (c1.children - c0.children) / RUNS }));
  } finally {
    for (const c of kids) c.kill('SIGKILL');
  }
  process.exit(0);
}

function statusCost(backend) {
  const dir = mkdtempSync(join(tmpdir(), 'zmart-bench-backend-'));
  const env = { ...process.env, ZMART_HOME: join(dir, 'home'), NO_COLOR: '1', ZMART_PROC_BACKEND: backend };
  const services = Object.fromEntries(Array.from({ length: N }, (_, i) => [`s${i}`, { command: ['sleep', '1000'] }]));
  writeFileSync(join(dir, 'zmart.config.ts'), `export default { services: ${JSON.stringify(services)}, plugins: [] };\n`);
  const run = (args) => spawnSync(process.execPath, [cli, ...args], { cwd: dir, env, encoding: 'utf8' });
  try {
    const started = run(['start']);
    if (started.status !== 0) throw new Error(`zmart start (${backend}) failed: ${started.stdout}${started.stderr}`);
    const report = JSON.parse(run(['status', '--json']).stdout);
    if (report.supervisor.processBackend !== backend) throw new Error(`the daemon uses ${report.supervisor.processBackend}, not ${backend}`);
    const daemon = report.supervisor.pid;
    const walls = [];
    const c0 = cpuMs(daemon);
    for (let i = 0; i < RUNS; i += 1) {
      const t0 = performance.now();
      const result = run(['status', '--json']);
      walls.push(performance.now() - t0);
      if (JSON.parse(result.stdout).services.filter((s) => s.rssBytes > 0).length !== N) throw new Error('a service without its memory');
    }
    const c1 = cpuMs(daemon);
    return { wall: median(walls), own: (c1.own - c0.own) / RUNS, children: (c1.children - c0.children) / RUNS };
  } finally {
    run(['stop']);
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`process backends at ${N} services, ${RUNS} runs each, node ${process.version}`);
console.log('backend    what                wall ms (median)   CPU ms own   CPU ms children (ps, lsof)');
for (const backend of ['linux', 'portable']) {
  const round = spawnSync(process.execPath, [import.meta.filename, '--round'], { env: { ...process.env, ZMART_PROC_BACKEND: backend }, encoding: 'utf8' });
  if (round.status !== 0) throw new Error(`round (${backend}) failed: ${round.stderr}`);
  const r = JSON.parse(round.stdout);
  const s = statusCost(backend);
  for (const [what, m] of [
    ['sampling round', r],
    ['status call', s],
  ]) {
    console.log(
      `${backend.padEnd(10)} ${what.padEnd(19)} ${m.wall.toFixed(1).padStart(16)} ${m.own.toFixed(1).padStart(12)} ${m.children.toFixed(1).padStart(14)}`,
    );
  }
}
