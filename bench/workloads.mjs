// The workloads of bench/run.mjs. Each takes a peer factory and returns a result row; it
// starts and stops its own supervisor, and kills whatever carries its tag at the end.
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { alive, descendsFrom, endsWith, findProcesses, FIXTURE, floodLines, freePort, healthy, nap, schedCpuMs, sleep, stats, waitUntil } from './lib/util.mjs';

const node = process.execPath;
const killTagged = (tag) => {
  for (const { pid } of findProcesses(tag)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
};

async function withPeer(factory, tag, body) {
  const peer = factory();
  const missing = peer.available();
  if (missing) return { peer: peer.name, skipped: missing };
  try {
    return { peer: peer.name, ...(await body(peer)) };
  } finally {
    peer.stop();
    await sleep(200);
    killTagged(tag);
    rmSync(peer.dir, { recursive: true, force: true });
  }
}

/** W1: SIGKILL a service RUNS times; kill -> new process running, and kill -> /health answers. */
export function w1RestartLatency(factory, runs = 20) {
  const tag = `zmart-bench-w1-${process.pid}-${Math.random().toString(36).slice(2)}`;
  return withPeer(factory, tag, async (peer) => {
    const port = await freePort();
    peer.start([{ name: 'api', argv: [node, FIXTURE, '--port', String(port), '--tag', tag], port, maxRestarts: 1000, restartDelayMs: 0 }]);
    if (!(await waitUntil(() => healthy(port), 20_000))) throw new Error(`${peer.name}: the service never answered`);
    const running = [];
    const answering = [];
    for (let i = 0; i < runs; i += 1) {
      const current = await waitUntil(() => {
        const found = findProcesses(tag);
        return found.length === 1 ? found[0].pid : null;
      });
      await waitUntil(() => healthy(port));
      const t0 = performance.now();
      process.kill(current, 'SIGKILL');
      for (;;) {
        // Pids only grow (until they wrap): scanning those above the killed one keeps each
        // look at /proc short, so the measure is not the scan's own time.
        const slow = performance.now() - t0 > 200;
        if (findProcesses(tag, { newerThan: slow ? 0 : current }).some((p) => p.pid !== current)) break;
        // A quarter of a millisecond between looks: scanning without a pause kept one of the
        // machine's two cores busy, slowing the very restart it timed (~1 ms on the median).
        nap(0.25);
        if (performance.now() - t0 > 30_000) throw new Error(`${peer.name}: no restart within 30 s`);
      }
      running.push(performance.now() - t0);
      while (!(await healthy(port))) await sleep(1);
      answering.push(performance.now() - t0);
    }
    return { running: stats(running), answering: stats(answering) };
  });
}

/** W5: a service that exits after 100 ms, maxRestarts 3: restarts seen in SECONDS, and the final state. */
export function w5CrashLoop(factory, seconds = 15) {
  const tag = `zmart-bench-w5-${process.pid}-${Math.random().toString(36).slice(2)}`;
  return withPeer(factory, tag, async (peer) => {
    peer.start([{ name: 'api', argv: [node, FIXTURE, '--exit-after', '100', '--tag', tag], maxRestarts: 3, restartDelayMs: 0, minUptimeMs: 1000 }]);
    const pids = new Set();
    const end = Date.now() + seconds * 1000;
    while (Date.now() < end) {
      for (const { pid } of findProcesses(tag)) pids.add(pid);
      await sleep(10);
    }
    return { restarts: Math.max(0, pids.size - 1), state: peer.state('api') ?? '?' };
  });
}

/** W6: 4 services; kill -9 the supervisor; start it again: duplicates and orphans, then leftovers after stop. */
export function w6SupervisorKill(factory) {
  const tag = `zmart-bench-w6-${process.pid}-${Math.random().toString(36).slice(2)}`;
  return withPeer(factory, tag, async (peer) => {
    const services = ['a', 'b', 'c', 'd'].map((name) => ({ name, argv: [node, FIXTURE, '--tag', `${tag}-${name}`], maxRestarts: 3, restartDelayMs: 0 }));
    peer.start(services);
    if (!(await waitUntil(() => findProcesses(tag).length === 4, 20_000))) throw new Error(`${peer.name}: the 4 services never ran`);
    process.kill(peer.supervisorPid(), 'SIGKILL');
    await sleep(500);
    await peer.restartSupervisor();
    await sleep(3000);
    const supervisor = peer.supervisorPid();
    const found = findProcesses(tag);
    const duplicates = services.reduce((sum, s) => sum + Math.max(0, findProcesses(`${tag}-${s.name}`).length - 1), 0);
    const orphans = found.filter((p) => !descendsFrom(p.pid, supervisor)).length;
    peer.stop();
    await sleep(1000);
    return { duplicates, orphans, leftAfterStop: findProcesses(tag).length };
  });
}

/** W3: median time of the status command, next to node -e 0. */
export function w3Status(factory, runs = 20) {
  const tag = `zmart-bench-w3-${process.pid}-${Math.random().toString(36).slice(2)}`;
  return withPeer(factory, tag, async (peer) => {
    peer.start(['a', 'b'].map((name) => ({ name, argv: [node, FIXTURE, '--tag', `${tag}-${name}`], maxRestarts: 3, restartDelayMs: 0 })));
    await waitUntil(() => findProcesses(tag).length === 2, 20_000);
    const [cmd, args, options] = peer.statusCommand();
    // Interleaved, so that a busy moment of the machine weighs on both alike.
    spawnSync(node, ['-e', '0']);
    spawnSync(cmd, args, options);
    const base = [];
    const status = [];
    const timed = (c, a, o) => {
      const t0 = performance.now();
      spawnSync(c, a, o);
      return performance.now() - t0;
    };
    for (let i = 0; i < runs; i += 1) {
      base.push(timed(node, ['-e', '0'], {}));
      status.push(timed(cmd, args, options));
    }
    return { statusMs: stats(status).median, nodeMs: stats(base).median };
  });
}

export { alive };

/** RSS (bytes) and CPU ticks of a process and its descendants that are supervisor processes. */
function processCost(pid) {
  const { readFileSync } = require_fs();
  const rss = Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
  return { rss, cpuMs: schedCpuMs(pid) };
}
let fsModule;
const require_fs = () => fsModule;

/** A process's RSS (the median of a reading each second: one reading lands anywhere in a GC cycle) and CPU over `windowMs`. */
async function readWindow(pid, windowMs) {
  const before = processCost(pid).cpuMs;
  const rss = [];
  for (let t = 0; t < windowMs; t += 1000) {
    await sleep(Math.min(1000, windowMs - t));
    rss.push(processCost(pid).rss);
  }
  return { rss: stats(rss).median, cpuPercent: ((processCost(pid).cpuMs - before) / windowMs) * 100 };
}

/**
 * W2's two windows, one after the other: the first can hold V8's memory reducer, a full
 * collection or two (~50 ms at 100 services) that V8 starts ~8 s after the start's last one;
 * the second shows the process at rest.
 */
async function twoWindows(pid, windowMs) {
  const first = await readWindow(pid, windowMs);
  const later = await readWindow(pid, windowMs);
  return { ...first, rssLater: later.rss, cpuPercentLater: later.cpuPercent };
}

/**
 * W2: the supervisor's own RSS and CPU while it watches 10 HTTP services (zmart probing them
 * every second) and 100 and 1,000 idle ones, measured over `windowMs` after they are all up
 * (RSS: the median of a reading each second).
 */
export function w2Overhead(factory, count, { http = false, healthInterval = '1s', settleMs = 10_000, windowMs = 10_000 } = {}) {
  const tag = `86399.${process.pid}${count}`;
  return withPeer(factory, tag, async (peer) => {
    fsModule ??= await import('node:fs');
    const services = [];
    for (let i = 0; i < count; i += 1) {
      if (http) {
        const port = await freePort();
        services.push({
          name: `s${i}`,
          argv: [node, FIXTURE, '--port', String(port), '--tag', `${tag}${String(i).padStart(4, '0')}`],
          port,
          maxRestarts: 3,
          restartDelayMs: 1000,
        });
      } else {
        services.push({ name: `s${i}`, argv: ['sleep', `${tag}${String(i).padStart(4, '0')}`], maxRestarts: 3, restartDelayMs: 1000 });
      }
    }
    const t0 = Date.now();
    peer.start(services, { health: http, healthInterval });
    if (!(await waitUntil(() => findProcesses(tag).length >= count, 300_000, 200))) throw new Error(`${peer.name}: not all ${count} services ran`);
    const startSeconds = (Date.now() - t0) / 1000;
    // Past the start: first probes, the start's garbage collected, V8's memory reducer (8 s).
    await sleep(settleMs);
    return { ...(await twoWindows(peer.supervisorPid(), windowMs)), startSeconds };
  });
}

/**
 * W2's yardstick (issue 30, item 2: "within 5 MB of bare Node"): a bare Node HTTP server, the
 * same Node, read the way W2 reads a supervisor (two windows of `windowMs` after `settleMs`).
 * It answers one request first, as a probed service would have by then.
 */
export async function w2BareNode({ settleMs = 10_000, windowMs = 10_000 } = {}) {
  fsModule ??= await import('node:fs');
  const port = await freePort();
  const server = `require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`;
  const child = spawn(node, ['-e', server], { stdio: 'ignore' });
  try {
    if (!(await waitUntil(() => healthy(port), 10_000, 50))) throw new Error('the bare Node server did not answer');
    await sleep(settleMs);
    return { peer: 'node http (bare)', ...(await twoWindows(child.pid, windowMs)), startSeconds: 0 };
  } finally {
    child.kill('SIGKILL');
  }
}

/** Every numbered line of a set of log files (oldest first), read as streams: how many lost, doubled or broken. */
async function countLines(files, total, lineBytes = 10) {
  const filler = lineBytes > 10 ? lineBytes - 11 : -1; // -1: no filler at all
  const { createInterface } = await import('node:readline');
  const seen = new Uint8Array(total + 1);
  let broken = 0;
  let doubled = 0;
  for (const file of files) {
    const rl = createInterface({ input: fsModule.createReadStream(file), crlfDelay: Infinity });
    for await (const line of rl) {
      if (line === '') continue;
      const m = /(?:^| )(?:(x*) )?n (\d+)$/.exec(line);
      if (!m) {
        if (/n \d|^\d+$|xxx/.test(line)) broken += 1; // the supervisor's own notes are not the flood's
        continue;
      }
      const n = Number(m[2]);
      if (n < 1 || n > total || (m[1] === undefined ? -1 : m[1].length) !== filler) broken += 1;
      else if (seen[n]) doubled += 1;
      else seen[n] = 1;
    }
  }
  let lost = 0;
  for (let i = 1; i <= total; i += 1) if (!seen[i]) lost += 1;
  return { lost, doubled, broken };
}

/**
 * W4: a service writes `mb` MB of numbered lines as fast as it can; MB/s through the
 * supervisor's logging (until the last line is in its log) against writing straight to a
 * file, and lines lost, doubled or broken, with and without rotation at 10 MB.
 */
export function w4Logs(factory, mb, { rotate, lineBytes = 10, timestamps = true, env }) {
  const tag = `zmart-bench-w4-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const lines = floodLines(mb, lineBytes);
  return withPeer(factory, tag, async (peer) => {
    fsModule ??= await import('node:fs');
    if (rotate && !peer.rotation) return { skipped: 'no built-in rotation (pm2-logrotate not installed)' };
    const mark = `${peer.dir}/flood-started`;
    const started = peer.start(
      [
        {
          name: 'flood',
          argv: [node, FIXTURE, '--flood', String(lines), '--line-bytes', String(lineBytes), '--exit-when-done', '--mark-start', mark, '--tag', tag],
          env,
          maxRestarts: 0,
          restartDelayMs: 0,
          minUptimeMs: 0,
        },
      ],
      {
        rotateBytes: rotate ? 10 * 1024 * 1024 : null,
        noRestart: true,
        timestamps,
      },
    );
    const last = `n ${String(lines).padStart(7, '0')}`;
    const done = await waitUntil(() => endsWith(peer.logFiles('flood').at(-1), last), 60_000, 10);
    const seconds = (Date.now() - Number(fsModule.readFileSync(mark, 'utf8'))) / 1000;
    if (!done) {
      // Kept to be looked at: the supervisor's logs and what its start said.
      const kept = `${peer.dir}-stalled`;
      fsModule.cpSync(peer.dir, kept, { recursive: true, filter: (path) => !fsModule.lstatSync(path).isSocket() });
      fsModule.writeFileSync(`${kept}/start-output.txt`, `${started?.code ?? ''}\n${started?.out ?? ''}`);
      console.error(`W4: ${peer.name} stalled; its folder is copied to ${kept}`);
      return { seconds, mbps: 0, lost: lines, doubled: 0, broken: 0, files: 0, timedOut: true };
    }
    await sleep(1500); // let rotations and flushes settle
    const files = peer.logFiles('flood');
    return { seconds, mbps: mb / seconds, ...(await countLines(files, lines, lineBytes)), files: files.length };
  });
}

/**
 * W4's yardsticks: the same writer straight into a file (`direct`), and through a pipe into
 * `cat`, which writes to the file (`pipe | cat`): what a supervisor that copies bytes and
 * does nothing per line could reach at best on this machine.
 */
export async function w4Direct(mb, { lineBytes = 10, throughCat = false } = {}) {
  fsModule ??= await import('node:fs');
  const { tempDir } = await import('./lib/util.mjs');
  const dir = tempDir('zmart-bench-direct-');
  const lines = floodLines(mb, lineBytes);
  const file = `${dir}/direct.log`;
  const fd = fsModule.openSync(file, 'w');
  const mark = `${dir}/flood-started`;
  const writer = [node, FIXTURE, '--flood', String(lines), '--line-bytes', String(lineBytes), '--exit-when-done', '--mark-start', mark];
  if (throughCat) spawnSync('sh', ['-c', '"$@" | cat', 'sh', ...writer], { stdio: ['ignore', fd, 'ignore'] });
  else spawnSync(writer[0], writer.slice(1), { stdio: ['ignore', fd, 'ignore'] });
  const seconds = (Date.now() - Number(fsModule.readFileSync(mark, 'utf8'))) / 1000;
  fsModule.closeSync(fd);
  const result = { peer: throughCat ? 'pipe | cat' : 'direct', seconds, mbps: mb / seconds, ...(await countLines([file], lines, lineBytes)), files: 1 };
  rmSync(dir, { recursive: true, force: true });
  return result;
}
