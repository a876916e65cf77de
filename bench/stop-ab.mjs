// A stop of N `sleep` services (issue 30, item 4), alternated round by round between variants:
// this build; with ZMART_BASELINE=<other checkout>/dist/bin/zmart.cjs that build too (an A/B of a
// change); with FLAGS=1 this build's daemon with other V8 flags (a 4 MB semi-space, the
// optimizing compiler on); with FLOOR=1 the floor: this bench itself SIGTERMs N `sleep`s it
// started, in one loop, timed until all have exited (no supervisor). Each variant's daemon is started directly with its flags (as
// `zmart start` would start it), the fleet left 3 s, its RSS read, then `zmart stop` timed until
// the supervisor is gone. N (default 1000), ROUNDS (default 5).
// `node bench/stop-ab.mjs` after npm run build. Linux (reads /proc).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { alive, sleep, tempDir, ZMART } from './lib/util.mjs';

const N = Number(process.env.N ?? 1000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
// zmart's own daemon flags (cli/commands/start-daemon.ts); the variants change one at a time
const COMMON = ['--v8-pool-size=1', '--expose-gc', '--heap-growing-percent=30'];
const ZMART_FLAGS = ['--max-semi-space-size=1', '--no-opt', '--no-sparkplug', ...COMMON];
const variants = [{ name: 'this build', cli: ZMART, flags: ZMART_FLAGS }];
if (process.env.ZMART_BASELINE) variants.push({ name: 'baseline', cli: process.env.ZMART_BASELINE, flags: ZMART_FLAGS });
if (process.env.FLAGS === '1') {
  variants.push({ name: 'this build, 4 MB semi-space', cli: ZMART, flags: ['--max-semi-space-size=4', '--no-opt', '--no-sparkplug', ...COMMON] });
  variants.push({ name: 'this build, optimizing compiler on', cli: ZMART, flags: ['--max-semi-space-size=1', ...COMMON] }); // (Sparkplug too)
}

if (process.env.FLOOR === '1') variants.push({ name: 'floor: one loop of SIGTERMs from a bare Node process, until all exited', floor: true });

const children = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).length;
  } catch {
    return 0;
  }
};
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

/** N `sleep`s of our own, SIGTERMed in one loop: how long until every one has exited. */
async function floor() {
  const kids = Array.from({ length: N }, () => spawn('sleep', ['100000'], { detached: true, stdio: 'ignore' }));
  try {
    const exited = Promise.all(kids.map((kid) => new Promise((resolve) => kid.once('exit', resolve))));
    while (kids.some((kid) => !alive(kid.pid))) await sleep(50);
    await sleep(3000);
    const t0 = performance.now();
    for (const kid of kids) process.kill(-kid.pid, 'SIGTERM');
    await exited;
    return { rss: null, stopMs: performance.now() - t0, silent: false };
  } finally {
    for (const kid of kids) if (kid.exitCode === null && kid.signalCode === null) process.kill(-kid.pid, 'SIGKILL');
  }
}

async function once({ cli, flags, floor: isFloor }) {
  if (isFloor) return floor();
  const dir = tempDir('zmart-stop-ab-');
  const env = { ...process.env, ZMART_HOME: join(dir, 'home'), NO_COLOR: '1' };
  const services = Object.fromEntries(Array.from({ length: N }, (_, i) => [`s${i}`, { command: ['sleep', '100000'], readyAfter: 0 }]));
  writeFileSync(join(dir, 'zmart.config.ts'), `export default { services: ${JSON.stringify(services)} };\n`);
  const stop = () => spawnSync(process.execPath, [cli, 'stop'], { cwd: dir, env, encoding: 'utf8' });
  const daemon = spawn(process.execPath, [...flags, join(dirname(cli), 'daemon.js'), '--config', join(dir, 'zmart.config.ts')], {
    cwd: dir,
    env,
    detached: true,
    stdio: 'ignore',
  });
  daemon.unref();
  let stopped = false;
  try {
    const t0 = performance.now();
    while (children(daemon.pid) < N) {
      if (performance.now() - t0 > 600_000) throw new Error(`${N} services not running after 10 min`);
      await sleep(50);
    }
    await sleep(3000);
    const rss = rssMb(daemon.pid);
    const t1 = performance.now();
    const result = stop();
    stopped = true;
    if (result.status !== 0) throw new Error(`zmart stop: exit ${result.status}: ${result.stderr.slice(0, 300)}`);
    // (a build before 1020018 could return 0 having said nothing, its supervisor still stopping)
    const silent = !result.stdout.includes('zmart stopped');
    while (alive(daemon.pid)) {
      if (performance.now() - t1 > 600_000) throw new Error('the supervisor still runs 10 min after zmart stop');
      await sleep(10);
    }
    return { rss, stopMs: performance.now() - t1, silent };
  } finally {
    if (!stopped) stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = new Map(variants.map((v) => [v.name, { rss: [], stopMs: [], silent: 0 }]));
for (let round = 0; round < ROUNDS; round += 1) {
  for (const variant of variants) {
    const { rss, stopMs, silent } = await once(variant);
    const r = results.get(variant.name);
    if (rss !== null) r.rss.push(rss);
    r.stopMs.push(stopMs);
    r.silent += silent ? 1 : 0;
    console.log(JSON.stringify({ round, variant: variant.name, n: N, rssMb: rss?.toFixed(1) ?? null, stopMs: Math.round(stopMs), silent }));
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cell = (xs, digits = 0) =>
  xs.length === 0 ? '-' : `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)})`;
console.log(
  `\n| ${N} services | zmart stop, until the supervisor is gone (ms) | stops that printed nothing | supervisor RSS 3 s after all ran (MB) |\n|---|---|---|---|`,
);
for (const [name, r] of results) console.log(`| ${name} | ${cell(r.stopMs)} | ${r.silent} of ${ROUNDS} | ${cell(r.rss, 1)} |`);
