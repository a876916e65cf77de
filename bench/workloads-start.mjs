// W7: cold start. A new config of N services (a new folder each time: no cache of zmart's,
// no PM2 daemon, no supervisord running), its start command launched, timed until every
// service has a process (its tag is in /proc) and until the command returned. supervisord's
// command returns before it starts the programs, zmart's after every service runs, PM2's once
// its daemon launched them: "every pid" is the figure all three can be held to.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { findProcesses } from './lib/util.mjs';

const napCell = new Int32Array(new SharedArrayBuffer(4));

/** The children of a process of ours (Linux: /proc/PID/task/PID/children). */
function childrenOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** One cold start of `count` `sleep` services on a new peer: { everyPidMs, returnedMs, code }. */
export async function coldStart(factory, count) {
  const peer = factory();
  const missing = peer.available();
  if (missing) return { peer: peer.name, skipped: missing };
  const tag = `zmart-bench-w7-${process.pid}-${Math.random().toString(36).slice(2)}`;
  // `sleep` cannot carry a tag: a shell does (as its $0), and stays (`; :` after the sleep)
  const services = Array.from({ length: count }, (_, i) => ({
    name: `s${i}`,
    argv: ['/bin/sh', '-c', 'sleep 100000; :', tag],
    maxRestarts: 3,
    restartDelayMs: 1000,
  }));
  const [cmd, args, options] = peer.startCommand(services);
  const newerThan = Number(spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout);
  try {
    const t0 = performance.now();
    const child = spawn(cmd, args, { ...options, stdio: 'ignore' });
    let returnedMs = null;
    let code = null;
    child.on('exit', (c) => {
      returnedMs = performance.now() - t0;
      code = c;
    });
    let everyPidMs = null;
    while (performance.now() - t0 < 120_000) {
      if (everyPidMs === null && findProcesses(tag, { newerThan }).length >= count) everyPidMs = performance.now() - t0;
      if (everyPidMs !== null && returnedMs !== null) break;
      await new Promise((r) => setImmediate(r));
      Atomics.wait(napCell, 0, 0, 2); // look every ~2 ms without holding a core
    }
    return { peer: peer.name, everyPidMs, returnedMs, code };
  } finally {
    peer.stop();
    // A tagged shell's `sleep` is not tagged: its process group goes with it where the shell
    // leads one (zmart's and supervisord's services do), else the shell's children by parent.
    for (const { pid } of findProcesses(tag, { newerThan })) {
      for (const target of [-pid, ...childrenOf(pid), pid]) {
        try {
          process.kill(target, 'SIGKILL');
        } catch {
          /* not a group leader, or gone */
        }
      }
    }
    rmSync(peer.dir, { recursive: true, force: true });
  }
}

/**
 * W7 for each size: the peers alternated `rounds` times (a busy moment of the machine weighs
 * on each alike), with `node -e 0` timed in each round as the machine's yardstick.
 */
export async function w7ColdStart(factories, sizes, rounds) {
  const rows = [];
  for (const count of sizes) {
    const samples = new Map();
    const base = [];
    for (let round = 0; round < rounds; round += 1) {
      const t0 = performance.now();
      spawnSync(process.execPath, ['-e', '0']);
      base.push(performance.now() - t0);
      for (const factory of factories) {
        const r = await coldStart(factory, count);
        const list = samples.get(r.peer) ?? [];
        list.push(r);
        samples.set(r.peer, list);
      }
    }
    for (const [peer, list] of samples) rows.push({ count, peer, runs: list, nodeMs: base });
  }
  return rows;
}
