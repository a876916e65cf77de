// How each supervisor's operations grow with the fleet (issue 30, item 4): N `sleep` services
// (SIZES, default 100,1000,3000,5000), zmart and supervisord (PEERS=zmart,supervisord) in turn:
// start until every service runs, then (SETTLE_S, default 20 s, later) idle CPU over IDLE_S
// seconds (default 10), the status command, a reload with nothing changed, the supervisor's RSS and open fds, then stop: until every
// service is gone, and until the supervisor is. Prints a table and writes bench/scale.svg (one chart
// per operation against N). `node bench/scale.mjs` after npm run build. Linux (reads /proc).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { supervisordConf } from './lib/peers.mjs';
import { alive, schedCpuMs, sleep, tempDir, ZMART } from './lib/util.mjs';

const SIZES = (process.env.SIZES ?? '100,1000,3000,5000').split(',').map(Number);
const PEERS = (process.env.PEERS ?? 'zmart,supervisord').split(',');
const IDLE_MS = Number(process.env.IDLE_S ?? 10) * 1000;
const SETTLE_MS = Number(process.env.SETTLE_S ?? 20) * 1000;

function timed(cmd, args, options) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...options });
  return { ms: Math.round(performance.now() - t0), code: r.status, out: r.stdout ?? '', err: r.stderr ?? '' };
}

/** Live children of `pid` (the services: `sleep` execs in place). */
const childCount = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).length;
  } catch {
    return 0;
  }
};
const rssMb = (pid) => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const fdCount = (pid) => readdirSync(`/proc/${pid}/fd`).length;

/** Waits until `check()`, looking every 20 ms; the time it took. */
async function until(check, t0, timeoutMs = 600_000) {
  while (!check()) {
    if (performance.now() - t0 > timeoutMs) throw new Error('timed out');
    await sleep(20);
  }
  return Math.round(performance.now() - t0);
}

const zmart = {
  name: 'zmart',
  async run(n, dir) {
    const env = { ...process.env, ZMART_HOME: join(dir, 'home'), NO_COLOR: '1' };
    const services = Object.fromEntries(Array.from({ length: n }, (_, i) => [`s${i}`, { command: ['sleep', '100000'], readyAfter: 0 }]));
    writeFileSync(join(dir, 'zmart.config.ts'), `export default { services: ${JSON.stringify(services)} };\n`);
    const cli = (...args) => timed(process.execPath, [ZMART, ...args], { cwd: dir, env });
    const start = cli('start', '--wait', '10m');
    if (start.code !== 0) throw new Error(`zmart start of ${n}: exit ${start.code}: ${start.err.slice(0, 300)}`);
    const pid = Number(readFileSync(join(dir, 'server_pids/monitor.pid'), 'utf8'));
    return {
      pid,
      startMs: start.ms,
      running: () => childCount(pid),
      status: () => cli('status'),
      reload: () => cli('reload'),
      async stop() {
        const t0 = performance.now();
        const r = cli('stop'); // returns once every service and the supervisor are gone
        if (r.code !== 0) throw new Error(`zmart stop: ${r.err.slice(0, 300)}`);
        const goneMs = await until(() => !alive(pid), t0);
        return { servicesGoneMs: goneMs, supervisorGoneMs: goneMs };
      },
    };
  },
};

const supervisord = {
  name: 'supervisord',
  async run(n, dir) {
    const conf = join(dir, 'supervisord.conf');
    const programs = Array.from(
      { length: n },
      (_, i) => `[program:s${i}]\ncommand=sleep 100000\nstartsecs=0\nstdout_logfile=${join(dir, `s${i}.log`)}\nredirect_stderr=true\n`,
    );
    writeFileSync(conf, supervisordConf(dir, programs.join('\n')));
    const ctl = (...args) => timed('supervisorctl', ['-c', conf, ...args], { cwd: dir });
    const t0 = performance.now();
    const started = timed('supervisord', ['-c', conf], { cwd: dir });
    if (started.code !== 0) throw new Error(`supervisord: ${started.err.slice(0, 300)}`);
    const pidFile = join(dir, 'supervisord.pid');
    await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', t0);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    const startMs = await until(() => childCount(pid) >= n, t0);
    return {
      pid,
      startMs,
      running: () => childCount(pid),
      status: () => ctl('status'),
      reload: () => ctl('update'),
      // `stop all`, then `shutdown`: shutdown alone stops one program per turn of supervisord's
      // loop (a turn waits up to 1 s for an event): 100 programs took 62 s here.
      async stop() {
        const t1 = performance.now();
        ctl('stop', 'all');
        const servicesGoneMs = await until(() => childCount(pid) === 0, t1);
        ctl('shutdown');
        return { servicesGoneMs, supervisorGoneMs: await until(() => !alive(pid), t1) };
      },
    };
  },
};

const rows = [];
for (const n of SIZES) {
  for (const peer of [zmart, supervisord].filter((p) => PEERS.includes(p.name))) {
    const dir = tempDir(`zmart-bench-scale-${peer.name}-`);
    let fleet = null;
    try {
      fleet = await peer.run(n, dir);
      // the work a start leaves (V8 collects what thousands of spawns allocated) settles first:
      // 2-12 s after a start of 1,000 zmart used 328 ms of CPU, 30-40 s after it 0
      await sleep(SETTLE_MS);
      // idle first: a status asks zmart for every service's memory and CPU, whose sampling of
      // thousands of processes goes on costing for a while after it (not idle any more)
      const cpu0 = schedCpuMs(fleet.pid);
      await sleep(IDLE_MS);
      const idleCpuMs = schedCpuMs(fleet.pid) - cpu0;
      const status = fleet.status();
      const reload = fleet.reload();
      const row = { peer: peer.name, n, startMs: fleet.startMs, running: fleet.running(), statusMs: status.ms, reloadMs: reload.ms };
      Object.assign(row, { idleCpuMs: Math.round(idleCpuMs), rssMb: Number(rssMb(fleet.pid).toFixed(1)), fds: fdCount(fleet.pid) });
      const stopped = await fleet.stop();
      row.stopMs = stopped.servicesGoneMs;
      row.goneMs = stopped.supervisorGoneMs;
      rows.push(row);
      console.log(JSON.stringify(row));
    } catch (error) {
      console.error(`${peer.name} at ${n}: ${error.message}`);
      if (fleet && alive(fleet.pid)) process.kill(fleet.pid, 'SIGKILL'); // ours: started by this run
    } finally {
      if (peer === zmart) spawnSync(process.execPath, [ZMART, 'stop'], { cwd: dir, env: { ...process.env, ZMART_HOME: join(dir, 'home') } });
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

const COLUMNS = [
  ['startMs', 'start (ms)'],
  ['stopMs', 'stop: services gone (ms)'],
  ['goneMs', 'stop: supervisor gone (ms)'],
  ['statusMs', 'status (ms)'],
  ['reloadMs', 'reload, nothing changed (ms)'],
  ['idleCpuMs', `idle CPU (ms per ${IDLE_MS / 1000} s)`],
  ['rssMb', 'RSS (MB)'],
  ['fds', 'open fds'],
];
console.log(`\n| services | supervisor | ${COLUMNS.map(([, t]) => t).join(' | ')} |`);
console.log(`|---|---|${COLUMNS.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${r.n} | ${r.peer} | ${COLUMNS.map(([k]) => r[k]).join(' | ')} |`);
writeFileSync(join(import.meta.dirname, 'scale.svg'), chart(rows));
console.log('\nwrote bench/scale.svg');

/** One small line chart per operation, N on the x axis, a line per supervisor. */
function chart(data) {
  const W = 300;
  const H = 190;
  const pad = { l: 52, r: 10, t: 24, b: 30 };
  const colors = { zmart: '#1f77b4', supervisord: '#d62728' };
  const sizes = [...new Set(data.map((r) => r.n))].sort((a, b) => a - b);
  const xMax = Math.max(...sizes);
  const x = (n) => pad.l + (n / xMax) * (W - pad.l - pad.r);
  const panels = COLUMNS.map(([key, title], i) => {
    const yMax = Math.max(1, ...data.map((r) => r[key]));
    const y = (v) => H - pad.b - (v / yMax) * (H - pad.t - pad.b);
    const ox = (i % 3) * W;
    const oy = Math.floor(i / 3) * H;
    const lines = Object.entries(colors).map(([peer, color]) => {
      const pts = data.filter((r) => r.peer === peer).sort((a, b) => a.n - b.n);
      if (pts.length === 0) return '';
      const path = pts.map((r) => `${x(r.n).toFixed(1)},${y(r[key]).toFixed(1)}`).join(' ');
      const dots = pts.map((r) => `<circle cx="${x(r.n).toFixed(1)}" cy="${y(r[key]).toFixed(1)}" r="2.5" fill="${color}"/>`).join('');
      return `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${path}"/>${dots}`;
    });
    const ticks = sizes.map((n) => `<text x="${x(n).toFixed(1)}" y="${H - pad.b + 14}" font-size="9" text-anchor="middle">${n}</text>`).join('');
    return `<g transform="translate(${ox},${oy})"><text x="${pad.l}" y="14" font-size="11" font-weight="bold">${title}</text>
<line x1="${pad.l}" y1="${H - pad.b}" x2="${W - pad.r}" y2="${H - pad.b}" stroke="#888"/><line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${H - pad.b}" stroke="#888"/>
<text x="${pad.l - 4}" y="${pad.t + 4}" font-size="9" text-anchor="end">${yMax}</text><text x="${pad.l - 4}" y="${H - pad.b}" font-size="9" text-anchor="end">0</text>${ticks}${lines.join('')}</g>`;
  });
  const legend = Object.entries(colors)
    .map(
      ([peer, color], i) =>
        `<rect x="${2 * W + 20}" y="${2 * H + 40 + i * 18}" width="12" height="3" fill="${color}"/><text x="${2 * W + 38}" y="${2 * H + 45 + i * 18}" font-size="11">${peer}</text>`,
    )
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${3 * W}" height="${3 * H}" font-family="sans-serif"><title>Operations against the fleet's size, zmart and supervisord (bench/scale.mjs)</title><rect width="100%" height="100%" fill="white"/>${panels.join('\n')}${legend}<text x="${2 * W + 20}" y="${2 * H + 100}" font-size="10">services (N) on each x axis</text></svg>\n`;
}
