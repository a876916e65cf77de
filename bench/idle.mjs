#!/usr/bin/env node
// Idle CPU at N idle services (issue 18): `sleep 1000` each, zmart with its default plugins (no
// `plugins` key) next to PM2 (pm2Peer: its own PM2_HOME, PM2 as its maintainers ship it). After
// WARMUP seconds, WINDOWS windows of 30 s each: the supervisor's CPU from the scheduler
// (/proc/PID/task/*/schedstat: exact, where utime's ticks alias with periodic wakeups) and its
// wakeups (voluntary context switches). Usage: N=100 WARMUP=60 WINDOWS=2 node bench/idle.mjs
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pm2Peer } from './lib/peers.mjs';
import { freePort, run, schedCpuMs, sleep, tempDir, ZMART } from './lib/util.mjs';

const ports = [await freePort(), await freePort()];

const N = Number(process.env.N ?? 100);
const WARMUP = Number(process.env.WARMUP ?? 60);
const WINDOWS = Number(process.env.WINDOWS ?? 2);
const WINDOW_S = 30;

/** CPU ms from the scheduler, and voluntary context switches summed over the process's threads. */
function reading(pid) {
  let switches = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    switches += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'))[1]);
  }
  return { cpu: schedCpuMs(pid), switches };
}

async function windows(pid) {
  await sleep(WARMUP * 1000);
  const found = [];
  for (let w = 0; w < WINDOWS; w += 1) {
    const a = reading(pid);
    await sleep(WINDOW_S * 1000);
    const b = reading(pid);
    found.push({ cpuMs: b.cpu - a.cpu, wakeupsPerS: (b.switches - a.switches) / WINDOW_S });
  }
  return found;
}

/** zmart with its default plugins, and with `views` the metrics, history and dashboard plugins too (no page open, no scrape). */
function zmart(views = false) {
  const dir = tempDir('zmart-bench-idle-');
  const env = { ...process.env, ZMART_HOME: join(dir, 'home'), NO_COLOR: '1' };
  const services = Object.fromEntries(Array.from({ length: N }, (_, i) => [`s${i}`, { command: ['sleep', '1000'] }]));
  const plugins = ['health-http', 'port-guard', 'memory-guard', 'log-rotate', 'alerts', 'watch', 'metrics', 'history', 'dashboard'];
  const name = (p) => p.replace(/-(.)/g, (_, c) => c.toUpperCase());
  const listen = { metrics: `{ listen: '127.0.0.1:${ports[0]}' }`, dashboard: `{ listen: '127.0.0.1:${ports[1]}' }` };
  const config = views
    ? `${plugins.map((p) => `import ${name(p)} from 'zmart/plugins/${p}';`).join('\n')}\nexport default { services: ${JSON.stringify(services)}, plugins: [${plugins.map((p) => `${name(p)}(${listen[p] ?? ''})`).join(', ')}] };\n`
    : `export default { services: ${JSON.stringify(services)} };\n`;
  writeFileSync(join(dir, 'zmart.config.ts'), config);
  const cli = (...args) => run(process.execPath, [ZMART, ...args], { cwd: dir, env });
  return {
    name: views ? 'zmart (+ metrics, history, dashboard)' : 'zmart (default plugins)',
    start: () => cli('start', '--wait', '120s'),
    pid: () => Number(readFileSync(join(dir, 'server_pids/monitor.pid'), 'utf8')),
    stop: () => cli('stop'),
  };
}

function pm2() {
  const peer = pm2Peer();
  return {
    name: 'pm2',
    available: peer.available(),
    start: () => peer.start(Array.from({ length: N }, (_, i) => ({ name: `s${i}`, argv: ['sleep', '1000'], maxRestarts: 3, restartDelayMs: 1000 }))),
    pid: () => peer.supervisorPid(),
    stop: () => peer.stop(),
  };
}

const rows = [];
// VIEWS=1 adds zmart with the views; PM2=0 leaves PM2 out
const peers = [zmart(), ...(process.env.VIEWS === '1' ? [zmart(true)] : []), ...(process.env.PM2 === '0' ? [] : [pm2()])];
for (const peer of peers) {
  if (peer.available) {
    console.log(`${peer.name}: skipped (${peer.available})`);
    continue;
  }
  try {
    const started = peer.start();
    if (started.code !== 0) throw new Error(`${peer.name} did not start: ${started.out}`);
    for (const w of await windows(peer.pid())) rows.push([peer.name, w.cpuMs.toFixed(0), w.wakeupsPerS.toFixed(1)]);
  } finally {
    peer.stop();
  }
}
console.log(`idle at ${N} idle services, ${WINDOW_S} s windows after ${WARMUP} s, node ${process.version}`);
console.log(`${'supervisor'.padEnd(38)} CPU ms per 30 s   wakeups per s`);
for (const [name, cpu, wakeups] of rows) console.log(`${name.padEnd(38)} ${cpu.padStart(15)} ${wakeups.padStart(15)}`);
