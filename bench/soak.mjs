#!/usr/bin/env node
// Chaos soak: a fleet of 6 fixture services under `zmart start` while a seeded random driver
// SIGKILLs services, SIGSTOPs them, makes one leak memory, steals a port, kills the supervisor
// once and starts it again, and runs status/restart concurrently. At the end it checks that
// every service is healthy, every fault was seen with the right restart reason in time, the
// flooding service's lines are whole and in order, nothing of the fleet is left after
// `zmart stop`, and the daemon's RSS stayed within a bound. Prints the seed and a summary.
// Usage: SOAK_SECONDS=120 SOAK_SEED=42 node bench/soak.mjs   (needs `npm run build`)
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alive, findProcesses, FIXTURE, freePort, run, sleep, table, tempDir, waitUntil, ZMART } from './lib/util.mjs';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 120);
const SEED = Number(process.env.SOAK_SEED ?? Date.now() % 100000);
const RSS_GROWTH_LIMIT = 64 * 1024 * 1024;
const tag = `zmart-soak-${process.pid}`;
const dir = tempDir('zmart-soak-');
const env = { ...process.env, ZMART_HOME: join(dir, 'home'), NO_COLOR: '1' };
const zmart = (...args) => run(process.execPath, [ZMART, ...args], { cwd: dir, env });
const status = () => JSON.parse(zmart('status', '--json').out);
/** Stops the fleet and whatever of this run is left (its tag is in their command lines). */
function stopFleet() {
  zmart('stop');
  for (const { pid } of findProcesses(tag)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}
// A soak stopped from outside (Ctrl-C, `timeout`) stops its fleet too: nothing runs on after it.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    stopFleet();
    rmSync(dir, { recursive: true, force: true });
    console.error(`\nsoak stopped by ${signal} (seed ${SEED}): the fleet is stopped`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}
const pidOf = (name) => {
  try {
    return Number(readFileSync(join(dir, 'server_pids', `${name}.pid`), 'utf8'));
  } catch {
    return 0;
  }
};
const rss = (pid) => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;

/** mulberry32: the same seed, the same faults in the same order. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ports = [];
for (let i = 0; i < 4; i += 1) ports.push(await freePort());
const web = (
  i,
) => `web${i}: { command: ${JSON.stringify([process.execPath, FIXTURE, '--port', String(ports[i]), '--tag', `${tag}-web${i}`])}, port: ${ports[i]},
  health: { path: '/health', interval: '300ms', timeout: '500ms', failureThreshold: 2, startPeriod: '3s' },
  restart: { maxRestarts: 1000, window: '10s', backoff: { initial: 50, factor: 1 }, minUptime: '1s' }, stop: { timeout: '1s' } }`;
writeFileSync(
  join(dir, 'zmart.config.ts'),
  `import { defineConfig } from 'zmart';
import healthHttp from 'zmart/plugins/health-http';
import portGuard from 'zmart/plugins/port-guard';
import memoryGuard from 'zmart/plugins/memory-guard';
import logRotate from 'zmart/plugins/log-rotate';
import alerts from 'zmart/plugins/alerts';
export default defineConfig({
  services: {
    ${[0, 1, 2, 3].map(web).join(',\n    ')},
    leaky: { command: ${JSON.stringify([process.execPath, FIXTURE, '--leak-on-usr2', '--tag', `${tag}-leaky`])},
             memory: { maxRss: '300MB', for: 2 }, restart: { maxRestarts: 1000, backoff: { initial: 50, factor: 1 } } },
    flood: { command: ${JSON.stringify([process.execPath, FIXTURE, '--tick', '2', '--tag', `${tag}-flood`])},
             restart: { maxRestarts: 1000, backoff: { initial: 50, factor: 1 } } },
  },
  plugins: [healthHttp(), portGuard({ interval: '500ms', onConflict: 'kill', stopTimeout: '1s' }), memoryGuard({ interval: '300ms' }),
            logRotate({ maxSize: '256KB', keep: 1000, compress: false }), alerts()],
});\n`,
);

const faults = []; // { kind, service, at, reason, bound, seen }
const strangers = [];
let supervisorKills = 0;

function restartsOf(report, name) {
  const s = report.services.find((x) => x.name === name);
  return { restarts: s?.restarts ?? 0, last: s?.lastRestart?.kind ?? null, at: s?.lastRestart ? Date.parse(s.lastRestart.at) : 0 };
}

/** Marks the faults whose service has been restarted since, with the reason it gave. */
function observe(report) {
  for (const f of faults.filter((x) => x.seen === null && x.reason)) {
    const r = restartsOf(report, f.service);
    if (r.restarts > f.before && r.at >= f.at - 50) {
      f.seen = r.at - f.at;
      f.seenReason = r.last;
    }
  }
}

const rand = random(SEED);
console.log(`soak: seed ${SEED}, ${SECONDS}s, fleet in ${dir}`);
let failure = null;
try {
  const started = zmart('start', '--wait', '60s');
  if (started.code !== 0) throw new Error(`zmart start failed:\n${started.out}`);
  const daemonRssStart = rss(pidOf('monitor'));
  const end = Date.now() + SECONDS * 1000;
  let killedSupervisor = false;
  while (Date.now() < end) {
    await sleep(1000 + rand() * 2000);
    const roll = rand();
    const service = `web${Math.floor(rand() * 4)}`;
    const pid = pidOf(service);
    if (!killedSupervisor && Date.now() > end - (SECONDS * 1000) / 2) {
      killedSupervisor = true;
      // the faults under way play out first: the new supervisor would clear them up itself
      await waitUntil(
        () => {
          observe(status());
          return faults.every((f) => f.seen !== null || !f.reason);
        },
        10_000,
        200,
      );
      supervisorKills += 1;
      process.kill(pidOf('monitor'), 'SIGKILL');
      await sleep(300);
      const again = zmart('start', '--wait', '60s');
      faults.push({ kind: 'supervisor kill', service: '-', at: Date.now(), reason: null, bound: 0, seen: again.code === 0 ? 0 : null });
      continue;
    }
    if (!pid || !alive(pid)) continue;
    // One fault at a time per service: a second one (a port stolen from a SIGSTOPped server)
    // would be resolved by the first's restart, under the other's reason.
    const busy = (name) => faults.some((f) => f.seen === null && f.reason && f.service === name);
    const report = status();
    const before = restartsOf(report, service);
    const leakyUp = report.services.find((s) => s.name === 'leaky')?.uptimeMs ?? 0;
    if (roll < 0.7 && busy(roll >= 0.5 && roll < 0.6 ? 'leaky' : service)) continue;
    // A process younger than a second may not handle SIGUSR2 yet, and Node dies of it.
    if (roll >= 0.5 && roll < 0.6 && leakyUp < 1000) continue;
    if (roll < 0.3) {
      process.kill(pid, 'SIGKILL');
      faults.push({ kind: 'SIGKILL', service, at: Date.now(), reason: 'exit', bound: 3000, before: before.restarts, seen: null });
    } else if (roll < 0.5) {
      process.kill(-pid, 'SIGSTOP');
      faults.push({ kind: 'SIGSTOP', service, at: Date.now(), reason: 'unhealthy', bound: 5000, before: before.restarts, seen: null });
    } else if (roll < 0.6) {
      const leaky = pidOf('leaky');
      const b = restartsOf(report, 'leaky');
      process.kill(leaky, 'SIGUSR2');
      faults.push({ kind: 'memory leak', service: 'leaky', at: Date.now(), reason: 'memory', bound: 6000, before: b.restarts, seen: null });
    } else if (roll < 0.7) {
      const port = ports[Number(service.slice(3))];
      const thief = spawn(process.execPath, [FIXTURE, '--port', String(port), '--host', '::1', '--tag', `${tag}-thief`], { stdio: 'ignore', detached: true });
      strangers.push(thief.pid);
      faults.push({ kind: 'port stolen', service, at: Date.now(), reason: 'port', bound: 5000, before: before.restarts, seen: null });
    } else {
      // the operator, concurrently: status, restart (of a service with no fault under way,
      // whose restart would otherwise hide the fault's own), status --json
      await Promise.all([
        new Promise((r) => r(zmart('status'))),
        new Promise((r) => r(busy(service) ? null : zmart('restart', service))),
        new Promise((r) => r(zmart('status', '--json'))),
      ]);
    }
    observe(status());
  }
  // let the last faults play out, then everything must be healthy
  await sleep(6000);
  const final = status();
  for (const f of faults.filter((x) => x.seen === null && x.reason)) {
    const r = restartsOf(final, f.service);
    if (r.restarts > f.before) {
      f.seen = r.at - f.at;
      f.seenReason = r.last;
    }
  }
  const healthy = await waitUntil(
    () => {
      const s = status();
      return s.services.every((x) => x.state === 'running' && (x.health === null || x.health === 'healthy')) ? s : null;
    },
    30_000,
    500,
  );
  const daemonRssEnd = rss(pidOf('monitor'));
  const stopped = zmart('stop');
  await sleep(1000);
  const left = findProcesses(tag).filter((p) => !strangers.includes(p.pid));

  // the flood's lines: whole and increasing within each run of the process
  const logs = join(dir, 'logs');
  const files = readdirSync(logs)
    .filter((f) => f.startsWith('flood.log'))
    .sort((a, b) => (a === 'flood.log' ? 1 : b === 'flood.log' ? -1 : a.localeCompare(b)));
  let broken = 0;
  let lines = 0;
  let last = 0;
  for (const file of files) {
    for (const line of readFileSync(join(logs, file), 'utf8').split('\n')) {
      if (line.includes(' zmart started pid')) last = 0;
      const m = / out tick (\d+) x+$/.exec(line);
      if (!m) {
        if (line.includes(' out ')) broken += 1;
        continue;
      }
      lines += 1;
      if (Number(m[1]) !== last + 1) broken += 1;
      last = Number(m[1]);
    }
  }

  const ok = (f) => f.seen !== null && (!f.bound || f.seen <= f.bound) && (!f.reason || f.seenReason === f.reason);
  table(
    'faults',
    ['fault', 'service', 'expected reason', 'seen reason', 'seen after ms', 'bound ms', 'ok'],
    faults.map((f) => [f.kind, f.service, f.reason ?? '-', f.seenReason ?? '-', f.seen ?? 'never', f.bound || '-', ok(f) ? 'yes' : 'NO']),
  );
  const checks = [
    ['every service healthy at the end', Boolean(healthy)],
    ['every fault detected, with the right reason, within its bound', faults.every(ok)],
    ['no process of the fleet left after zmart stop', stopped.code === 0 && left.length === 0],
    [`flood log: ${lines} lines, none split or out of order`, broken === 0 && lines > 0],
    [
      `daemon RSS ${(daemonRssStart / 1048576).toFixed(0)} -> ${(daemonRssEnd / 1048576).toFixed(0)} MB (bound +${RSS_GROWTH_LIMIT / 1048576} MB)`,
      daemonRssEnd - daemonRssStart < RSS_GROWTH_LIMIT,
    ],
  ];
  table(
    `soak summary (seed ${SEED}, ${SECONDS}s, ${faults.length} faults, ${supervisorKills} supervisor kill)`,
    ['check', 'ok'],
    checks.map(([c, ok]) => [c, ok ? 'yes' : 'NO']),
  );
  if (checks.some(([, ok]) => !ok)) failure = 'soak checks failed';
} catch (error) {
  failure = error instanceof Error ? error.stack : String(error);
} finally {
  stopFleet();
  // A failed run keeps its logs (in a folder of their own, the rest removed) to be read.
  if (failure) {
    const kept = `${dir}-logs`;
    try {
      renameSync(join(dir, 'logs'), kept);
      failure += `\nthe fleet's logs are kept in ${kept}`;
    } catch {
      /* no logs yet */
    }
  }
  rmSync(dir, { recursive: true, force: true });
}
if (failure) {
  console.error(`\nsoak FAILED (seed ${SEED}): ${failure}`);
  process.exit(1);
}
console.log(`\nsoak passed (seed ${SEED})`);
