#!/usr/bin/env node
// What a log flood costs the supervisor's memory (issue 30, item 2: "a 200 MB log flood raises
// the peak by under 10 MB"). Each supervisor runs one service that waits for SIGUSR1, then
// writes FLOOD_MB MB of numbered lines as fast as its pipe takes them (timestamps on, no
// rotation). Once the supervisor has settled (SETTLE_MS), its peak is reset (writing 5 to
// /proc/PID/clear_refs sets VmHWM to the current RSS), its RSS read, the flood let go, and its
// VmHWM read once the last line is in the log: the rise is what the flood added to the peak.
// Also the flood's pace, from the signal to its last line in the log.
// Peers alternate within each run; RUNS runs, median and spread.
// Usage: node bench/flood-memory.mjs   (needs `npm run build`; PEERS=zmart,supervisord, RUNS=3, FLOOD_MB=200, LINE_BYTES=10,100)
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { ALL_PEERS } from './lib/peers.mjs';
import { endsWith, findProcesses, FIXTURE, floodLines, sleep, table, waitUntil } from './lib/util.mjs';

const MB = Number(process.env.FLOOD_MB ?? 200);
const RUNS = Number(process.env.RUNS ?? 3);
const SETTLE_MS = Number(process.env.SETTLE_MS ?? 5000);
const LINE_BYTES = (process.env.LINE_BYTES ?? '10,100').split(',').map(Number);
const wanted = process.env.PEERS?.split(',');
const factories = ALL_PEERS.filter((f) => !wanted || wanted.includes(f().name));

const statusKb = (pid, field) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

async function once(factory, lineBytes) {
  const peer = factory();
  const missing = peer.available();
  if (missing) return { peer: peer.name, skipped: missing };
  const tag = `zmart-bench-flood-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const lines = floodLines(MB, lineBytes);
  try {
    const argv = [process.execPath, FIXTURE, '--flood', String(lines), '--line-bytes', String(lineBytes), '--flood-on-usr1', '--exit-when-done', '--tag', tag];
    peer.start([{ name: 'flood', argv, maxRestarts: 0, restartDelayMs: 0, minUptimeMs: 0 }], { noRestart: true, timestamps: true });
    const service = await waitUntil(() => {
      const found = findProcesses(tag);
      return found.length === 1 ? found[0].pid : null;
    }, 30_000);
    if (!service) throw new Error(`${peer.name}: the flood service never ran`);
    await sleep(SETTLE_MS);
    const supervisor = peer.supervisorPid();
    writeFileSync(`/proc/${supervisor}/clear_refs`, '5');
    const before = statusKb(supervisor, 'VmRSS');
    const t0 = performance.now();
    process.kill(service, 'SIGUSR1');
    const last = `n ${String(lines).padStart(7, '0')}`;
    if (!(await waitUntil(() => endsWith(peer.logFiles('flood').at(-1), last), 180_000, 20)))
      throw new Error(`${peer.name}: the flood's last line never reached its log`);
    const seconds = (performance.now() - t0) / 1000;
    const peak = statusKb(supervisor, 'VmHWM');
    return { peer: peer.name, beforeMb: before / 1024, peakMb: peak / 1024, riseMb: (peak - before) / 1024, mbps: MB / seconds };
  } finally {
    peer.stop();
    await sleep(200);
    for (const { pid } of findProcesses(tag)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone between the look and the kill
      }
    }
    rmSync(peer.dir, { recursive: true, force: true });
  }
}

const results = new Map(); // `${peer} ${lineBytes}` -> rows
for (let run = 0; run < RUNS; run += 1) {
  for (const lineBytes of LINE_BYTES) {
    for (const factory of factories) {
      const row = await once(factory, lineBytes);
      if (row.skipped) {
        console.error(`${row.peer}: skipped (${row.skipped})`);
        continue;
      }
      const key = `${row.peer} ${lineBytes}`;
      results.set(key, [...(results.get(key) ?? []), row]);
      console.error(
        `run ${run + 1}, ${lineBytes}-byte lines, ${row.peer}: ${row.beforeMb.toFixed(1)} MB -> peak ${row.peakMb.toFixed(1)} MB, ${row.mbps.toFixed(0)} MB/s`,
      );
    }
  }
}

const spread = (xs, f = (x) => x.toFixed(1)) => {
  const s = [...xs].sort((a, b) => a - b);
  return `${f(s[Math.floor(s.length / 2)])} (${f(s[0])}-${f(s.at(-1))})`;
};
table(
  `${MB} MB of numbered lines through each supervisor's logging (timestamps on, no rotation), ${RUNS} runs: its RSS before the flood, its peak during it (VmHWM, reset just before), and the rise; median (min-max)`,
  ['supervisor', 'line bytes', 'RSS before MB', 'peak MB', 'rise MB', 'MB/s (USR1 to last line in the log)'],
  [...results].map(([key, rows]) => {
    const [peer, lineBytes] = key.split(' ');
    return [
      peer,
      lineBytes,
      spread(rows.map((r) => r.beforeMb)),
      spread(rows.map((r) => r.peakMb)),
      spread(rows.map((r) => r.riseMb)),
      spread(
        rows.map((r) => r.mbps),
        (x) => x.toFixed(0),
      ),
    ];
  }),
);
