// How zmart's operations grow with the fleet (issue 30, item 4, a first cut: zmart alone).
// N `sleep` services (N from SIZES, default 100,1000,3000): `zmart start` until it returns,
// `zmart status --json`, the daemon's open fds, then `zmart stop`; each timed.
// `node bench/scale.mjs` after npm run build. Linux (reads /proc for the fd count).
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, ZMART } from './lib/util.mjs';

const SIZES = (process.env.SIZES ?? '100,1000,3000').split(',').map(Number);

function timed(args, dir, env) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [ZMART, ...args], { cwd: dir, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { ms: Math.round(performance.now() - t0), code: r.status, out: r.stdout, err: r.stderr };
}

const rows = [];
for (const n of SIZES) {
  const dir = tempDir('zmart-bench-scale-');
  const env = { ...process.env, ZMART_HOME: join(dir, 'home'), NO_COLOR: '1' };
  const services = Object.fromEntries(Array.from({ length: n }, (_, i) => [`s${i}`, { command: ['sleep', '100000'], readyAfter: 0 }]));
  writeFileSync(join(dir, 'zmart.config.ts'), `export default { services: ${JSON.stringify(services)} };\n`);
  try {
    const start = timed(['start', '--wait', '10m'], dir, env);
    if (start.code !== 0) console.error(`start of ${n}: exit ${start.code}: ${start.err.slice(0, 500)}`);
    const status = timed(['status', '--json'], dir, env);
    const report = JSON.parse(status.out);
    const running = report.services.filter((s) => s.state === 'running').length;
    const fds = readdirSync(`/proc/${report.supervisor.pid}/fd`).length;
    const stop = timed(['stop'], dir, env);
    rows.push({ n, startMs: start.ms, running, statusMs: status.ms, fds, fdsPerService: (fds / n).toFixed(2), stopMs: stop.ms, stopCode: stop.code });
    console.log(JSON.stringify(rows.at(-1)));
  } finally {
    spawnSync(process.execPath, [ZMART, 'stop'], { cwd: dir, env });
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log('\n| services | start | running | status --json | daemon fds (per service) | stop |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.n} | ${r.startMs} ms | ${r.running} | ${r.statusMs} ms | ${r.fds} (${r.fdsPerService}) | ${r.stopMs} ms |`);
