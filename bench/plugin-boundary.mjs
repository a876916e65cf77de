// The plugin boundary's costs (issue 24): what the stall watchdog adds to each call into a
// plugin, and how long `zmart stop` takes when a plugin never answers.
//
//   node bench/plugin-boundary.mjs            both; build first (npm run build)
//   PART=watchdog | PART=stop                 one of them
//
// watchdog: 100 services x 6 plugins' handlers on `service:probe` (what a probe round at 100
// services emits), through the HookBus with the watchdog (a performance.now() pair and the
// plugin table per call) against the same bus with a no-op timer and against calling the
// handlers in a bare loop; ns per handler call, the median of 15 rounds of 200 emits each.
// stop: a fleet of one service (stop.timeout 2s, SIGTERM ignored so the whole timeout is
// waited) whose second service is held in a prestart that never resolves (deadline 10s), with
// and without a teardown that never resolves (deadline `TEARDOWN`, default 5s); wall time of
// `zmart stop`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const root = resolve(import.meta.dirname, '..');
const part = process.env.PART ?? 'all';

async function watchdog() {
  const { HookBus } = await import(join(root, 'dist/core/hook-bus.js'));
  const { PluginWatch } = await import(join(root, 'dist/core/plugin-guard/plugin-watch.js'));
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const watch = new PluginWatch(() => quiet);
  const PLUGINS = ['health-http', 'port-guard', 'memory-guard', 'log-rotate', 'alerts', 'metrics'];
  let sink = 0;
  const handler = (p) => {
    sink += p.durationMs;
  };
  const withWatch = new HookBus(
    () => undefined,
    (owner, hook, ms) => watch.held(owner, hook, ms),
  );
  const noTimer = new HookBus(
    () => undefined,
    () => undefined,
  );
  for (const name of PLUGINS) {
    watch.add(name, 'running');
    withWatch.on('service:probe', handler, name);
    noTimer.on('service:probe', handler, name);
  }
  const payloads = Array.from({ length: 100 }, (_, i) => ({ service: `s${i}`, ok: true, durationMs: 1, by: 'health-http' }));
  const bare = (p) => {
    for (let i = 0; i < PLUGINS.length; i += 1) {
      try {
        handler(p);
      } catch {}
    }
  };
  const timed = (p) => {
    for (const name of PLUGINS) {
      const t0 = performance.now();
      try {
        handler(p);
      } catch {}
      watch.held(name, 'service:probe', performance.now() - t0);
    }
  };
  const round = (emit) => {
    const t0 = performance.now();
    for (let r = 0; r < 200; r += 1) for (const p of payloads) emit(p);
    return ((performance.now() - t0) * 1e6) / (200 * payloads.length * PLUGINS.length);
  };
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const results = { bare: [], timed: [], bus: [], watchdog: [] };
  for (let i = 0; i < 15; i += 1) {
    results.bare.push(round(bare));
    results.timed.push(round(timed));
    results.bus.push(round((p) => noTimer.emit('service:probe', p)));
    results.watchdog.push(round((p) => withWatch.emit('service:probe', p)));
  }
  const [b, t, n, w] = [median(results.bare), median(results.timed), median(results.bus), median(results.watchdog)];
  console.log(
    `watchdog at 100 services x ${PLUGINS.length} handlers (ns per handler call, median of 15 rounds; node ${process.version}${process.execArgv.length ? ` ${process.execArgv.join(' ')}` : ''}):`,
  );
  console.log(
    `  handlers called in a loop ${b.toFixed(0)}; the same, each timed by the watchdog ${t.toFixed(0)}: the watchdog's cost ${(t - b).toFixed(0)} ns per call (target < 1000)`,
  );
  console.log(
    `  through the hook bus (every emit, payload checks, promise bookkeeping): ${n.toFixed(0)} with a no-op timer, ${w.toFixed(0)} with the watchdog`,
  );
  if (sink < 0) console.log(sink);
}

function stop(hangTeardown) {
  const dir = mkdtempSync(join(tmpdir(), 'zmart-bench-stop-'));
  const fixture = JSON.stringify([process.execPath, join(root, 'test/fixtures/server.mjs'), '--ignore-term']);
  writeFileSync(
    join(dir, 'zmart.config.ts'),
    `import { defineConfig, definePlugin } from 'zmart';
const hung = definePlugin({ name: 'hung', defaults: {}, setup(ctx) {
  ctx.on('service:prestart', ({ service }) => (service === 'late' ? new Promise(() => undefined) : undefined));
  ${hangTeardown ? 'return () => new Promise(() => undefined);' : ''}
} });
export default defineConfig({ pluginTimeouts: { teardown: '${process.env.TEARDOWN ?? '5s'}' }, services: {
  api: { command: ${fixture}, readyAfter: 100, stop: { timeout: '2s' } },
  late: { command: ${fixture}, dependsOn: ['api'] },
}, plugins: [hung()] });
`,
  );
  const zmart = (args) =>
    spawnSync(process.execPath, [join(root, 'dist/bin/zmart.cjs'), ...args], {
      cwd: dir,
      env: { ...process.env, ZMART_HOME: join(dir, '.home') },
      encoding: 'utf8',
    });
  try {
    zmart(['start', '--wait', '0']);
    spawnSync('sleep', ['1']); // 'late' is now held in its prestart
    const t0 = performance.now();
    const result = zmart(['stop']);
    const ms = performance.now() - t0;
    console.log(
      `zmart stop with a hung prestart${hangTeardown ? ` and a hung teardown (pluginTimeouts.teardown ${process.env.TEARDOWN ?? '5s'})` : ''}, stop.timeout 2s: ${(ms / 1000).toFixed(2)} s (exit ${result.status}; target: 2 s + 2 s)`,
    );
  } finally {
    zmart(['stop']);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (part === 'all' || part === 'watchdog') await watchdog();
if (part === 'all' || part === 'stop') {
  stop(false);
  stop(true);
}
