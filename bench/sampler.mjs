#!/usr/bin/env node
// The cost of one sampling round of memory and CPU at N single-process services: the tree
// sampler (from each leader down: stat, statm, children) against the round before it (a scan
// of every process's stat for the tree, then pidusage per pid). CPU time of this process per
// round and per service, the median of ROUNDS rounds. KIND=node makes each service an idle
// Node process (~10 threads, a children list each) instead of `sleep`; the round then shares one
// snapshot, as memory-guard's does. Usage: N=100 ROUNDS=30 [KIND=node] node bench/sampler.mjs
import { spawn } from 'node:child_process';
import { TreeSampler } from '../dist/core/process/tree-sampler.js';
import { UsageSampler } from '../dist/core/process/usage-sampler.js';
import { descendantsOf, readAllStats, readStat } from '../dist/core/process/proc.js';

const N = Number(process.env.N ?? 100);
const ROUNDS = Number(process.env.ROUNDS ?? 30);
const KIND = process.env.KIND ?? 'sleep';
const command = KIND === 'node' ? [process.execPath, '-e', 'setTimeout(() => {}, 300_000)'] : ['sleep', '300'];
const children = Array.from({ length: N }, () => spawn(command[0], command.slice(1), { stdio: 'ignore', detached: true }));
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  await new Promise((r) => setTimeout(r, KIND === 'node' ? 3000 : 300));
  const leaders = children.map((c) => ({ pid: c.pid, startTime: readStat(c.pid).startTime }));
  const trees = new TreeSampler();
  const legacy = new UsageSampler();
  const rounds = { tree: [], legacy: [] };
  for (let i = 0; i < ROUNDS; i += 1) {
    let t = cpuMs();
    let snapshot = null;
    const shared = () => (snapshot ??= readAllStats());
    for (const [k, l] of leaders.entries()) trees.sample(`s${k}`, l, Date.now(), shared);
    rounds.tree.push(cpuMs() - t);
    t = cpuMs();
    const stats = readAllStats();
    for (const [k, l] of leaders.entries()) await legacy.sample(`s${k}`, [l.pid, ...descendantsOf(l.pid, stats).map((s) => s.pid)]);
    rounds.legacy.push(cpuMs() - t);
  }
  for (const [name, xs] of Object.entries(rounds)) {
    const ms = median(xs);
    console.log(`${name.padEnd(7)} ${ms.toFixed(2)} ms CPU per round of ${N} services, ${((ms * 1000) / N).toFixed(1)} µs per process`);
  }
} finally {
  for (const c of children) c.kill('SIGKILL');
}
