#!/usr/bin/env node
// One command, all the workloads that exist so far, zmart next to PM2 and supervisord when
// they are installed. Prints a table per workload with ratios to zmart. See bench/README.md.
// Usage: node bench/run.mjs   (needs `npm run build`; PM2 from PM2_BIN or /tmp/pm2prefix,
// supervisord from Debian's `supervisor`). BENCH=W1,W4 runs only those workloads, PEERS=zmart,pm2 only those supervisors;
// W5_SECONDS shortens the crash-loop window.
import { ALL_PEERS as KNOWN_PEERS, zmartPeer } from './lib/peers.mjs';
import { table } from './lib/util.mjs';
import { w1RestartLatency, w2BareNode, w2Overhead, w3Status, w4Direct, w4Logs, w5CrashLoop, w6SupervisorKill } from './workloads.mjs';

const f0 = (n) => (Number.isFinite(n) ? n.toFixed(0) : '-');
const f1 = (n) => (Number.isFinite(n) ? n.toFixed(1) : '-');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : '-');
console.log(`zmart benchmarks on node ${process.version}, ${new Date().toISOString()}`);

const skipped = (r) => (r.skipped ? [r.peer, `skipped: ${r.skipped}`] : null);
const ALL_PEERS = process.env.PEERS
  ? KNOWN_PEERS.filter((factory) => process.env.PEERS.split(',').some((name) => factory.name.toLowerCase().startsWith(name)))
  : KNOWN_PEERS;
// Between workloads: let the last one's processes die and its files reach the disk.
const settle = () => new Promise((resolve) => setTimeout(resolve, 3000));
const wanted = new Set((process.env.BENCH ?? 'W1,W2,W3,W4,W5,W6,W7').toUpperCase().split(','));

if (wanted.has('W1')) {
  const w1 = [];
  for (const peer of ALL_PEERS) w1.push(await w1RestartLatency(peer, Number(process.env.W1_RUNS ?? 20)));
  const z1 = w1.find((r) => r.peer === 'zmart');
  table(
    'W1 restart latency (SIGKILL, restart delay 0), ms',
    ['supervisor', 'kill->running p50', 'p95', 'vs zmart', 'kill->/health p50', 'p95', 'vs zmart'],
    w1.map(
      (r) =>
        skipped(r) ?? [
          r.peer,
          f1(r.running.median),
          f1(r.running.p95),
          ratio(r.running.median, z1.running.median),
          f1(r.answering.median),
          f1(r.answering.p95),
          ratio(r.answering.median, z1.answering.median),
        ],
    ),
  );
}

if (wanted.has('W2')) {
  await settle();
  // `10h`: 10 HTTP services zmart probes every second; `100h30s`: probed every 30 s (zmart's
  // default interval); `100`: 100 idle ones.
  const sizes = (process.env.W2_SIZES ?? '10h,100h,100h30s,100,1000').split(',');
  const w2 = [];
  for (const size of sizes) {
    const [, count, http, n, unit] = /^(\d+)(h(?:(\d+)(s|m))?)?$/.exec(size) ?? [];
    if (!count) throw new Error(`W2_SIZES: expected entries like 10h, 100h30s or 1000, got '${size}'`);
    const interval = n ? `${n}${unit}` : undefined;
    const label = http ? `${count} http${interval ? ` /${interval}` : ''}` : `${count} idle`;
    // A window of at least one interval, so that each service is probed in it.
    const windowMs = Math.max(10_000, Number(n ?? 0) * (unit === 'm' ? 60_000 : 1000));
    for (const peer of ALL_PEERS)
      w2.push({ size, label, ...(await w2Overhead(peer, Number(count), { http: !!http, healthInterval: interval ?? '1s', windowMs })) });
    // The yardstick of issue 30's memory target, read in the same minutes as the peers of this size
    w2.push({ size, label, ...(await w2BareNode({ windowMs })) });
  }
  const mb = (b) => (b / 1024 / 1024).toFixed(1);
  table(
    'W2 supervisor overhead (its own process), 10 s after all services run: RSS (median of a reading each second) and CPU over 10 s (over one probe interval when longer), then both over a second window of the same length (at rest); a bare Node HTTP server read alike as the yardstick',
    ['services', 'supervisor', 'RSS MB', 'over bare Node MB', 'CPU % of a core', 'next window: RSS MB', 'over bare Node MB', 'CPU %', 'start s'],
    w2.map((r) => {
      if (r.skipped) return [r.label, r.peer, `skipped: ${r.skipped}`, '', '', '', '', '', ''];
      const bare = w2.find((x) => x.size === r.size && x.peer === 'node http (bare)');
      return [
        r.label,
        r.peer,
        mb(r.rss),
        mb(r.rss - bare.rss).replace(/^(?!-)/, '+'),
        r.cpuPercent.toFixed(2),
        mb(r.rssLater),
        mb(r.rssLater - bare.rssLater).replace(/^(?!-)/, '+'),
        r.cpuPercentLater.toFixed(2),
        r.startSeconds.toFixed(1),
      ];
    }),
  );
}

if (wanted.has('W3')) {
  await settle();
  const w3 = [];
  for (const peer of ALL_PEERS) w3.push(await w3Status(peer));
  table(
    'W3 status latency, ms (median of 20)',
    ['supervisor', 'status', 'node -e 0', 'x node -e 0'],
    w3.map((r) => skipped(r) ?? [r.peer, f1(r.statusMs), f1(r.nodeMs), ratio(r.statusMs, r.nodeMs)]),
  );
}

if (wanted.has('W4')) {
  await settle();
  // Each case W4_RUNS times (default 5), the median MB/s: one run on a 2-core VM varies by a third.
  const W4_RUNS = Number(process.env.W4_RUNS ?? 5);
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  // A case's runs, summed up: the median MB/s; a run whose last line never came (the peer
  // stalled) is counted apart, not as lost lines.
  const summarize = (results) => {
    if (results[0].skipped) return results[0];
    const done = results.filter((r) => !r.timedOut);
    const stalled = results.length - done.length;
    if (done.length === 0) return { ...results[0], skipped: `never finished in ${stalled} runs` };
    const sum = (key) => done.reduce((n, r) => n + r[key], 0);
    const peer = stalled ? `${results[0].peer} (${stalled} of ${results.length} runs stalled)` : results[0].peer;
    return { ...done[0], peer, mbps: median(done.map((r) => r.mbps)), lost: sum('lost'), doubled: sum('doubled'), broken: sum('broken') };
  };
  const MB = Number(process.env.W4_MB ?? 200);
  for (const lineBytes of (process.env.W4_LINE_BYTES ?? '10,100').split(',').map(Number)) {
    // The yardsticks and every peer alternated within each round (as W7 does): a busy moment of
    // the machine weighs on each alike (yardsticks run first, ahead of the peers, read a third low).
    const cases = [
      { rotate: '-', run: () => w4Direct(MB, { lineBytes }) },
      { rotate: '-', run: () => w4Direct(MB, { lineBytes, throughCat: true }) },
    ];
    for (const rotate of [false, true]) {
      for (const peer of ALL_PEERS) {
        cases.push({ rotate: rotate ? '10 MB' : 'none', run: () => w4Logs(peer, MB, { rotate, lineBytes }) });
        // zmart again as PM2 and supervisord write by default: lines as they came, no timestamp.
        if (peer === zmartPeer)
          cases.push({ rotate: rotate ? '10 MB' : 'none', plain: true, run: () => w4Logs(peer, MB, { rotate, lineBytes, timestamps: false }) });
      }
    }
    const runs = cases.map(() => []);
    for (let round = 0; round < W4_RUNS; round += 1) {
      for (const [k, c] of cases.entries()) if (!runs[k][0]?.skipped) runs[k].push(await c.run());
    }
    const w4 = cases.map((c, k) => {
      const r = summarize(runs[k]);
      return { rotate: c.rotate, ...r, peer: c.plain ? r.peer.replace('zmart', 'zmart, timestamps off') : r.peer };
    });
    const direct = w4[0];
    table(
      `W4 logs: ${MB} MB of numbered ${lineBytes}-byte lines written as fast as possible (median MB/s of ${W4_RUNS} runs from the writer's first line until its last is in the log; lines lost/doubled/broken summed over the runs)`,
      ['writer', 'rotation', 'MB/s', 'vs direct', 'lost', 'doubled', 'split/broken', 'files'],
      w4.map((r) =>
        r.skipped
          ? [r.peer, r.rotate, `skipped: ${r.skipped}`, '', '', '', '', '']
          : [r.peer, r.rotate, r.mbps.toFixed(1), ratio(r.mbps, direct.mbps), r.lost, r.doubled, r.broken, r.files],
      ),
    );
  }
}

if (wanted.has('W5')) {
  await settle();
  const w5 = [];
  for (const peer of ALL_PEERS) w5.push(await w5CrashLoop(peer, Number(process.env.W5_SECONDS ?? 15)));
  table(
    `W5 crash loop (exits after 100 ms, maxRestarts 3), ${process.env.W5_SECONDS ?? 15} s`,
    ['supervisor', 'restarts', 'final state'],
    w5.map((r) => skipped(r) ?? [r.peer, r.restarts, r.state]),
  );
}

if (wanted.has('W6')) {
  await settle();
  const w6 = [];
  for (const peer of ALL_PEERS) w6.push(await w6SupervisorKill(peer));
  table(
    'W6 kill -9 of the supervisor with 4 services, then start again',
    ['supervisor', 'duplicates', 'orphans', 'left after stop'],
    w6.map((r) => skipped(r) ?? [r.peer, r.duplicates, r.orphans, r.leftAfterStop]),
  );
}

if (wanted.has('W7')) {
  await settle();
  const { w7ColdStart } = await import('./workloads-start.mjs');
  const sizes = (process.env.W7_SIZES ?? '10,100').split(',').map(Number);
  const rows = await w7ColdStart(ALL_PEERS, sizes, Number(process.env.W7_ROUNDS ?? 5));
  const cell = (xs) => {
    const v = xs.filter((x) => x !== null);
    if (v.length === 0) return '-';
    const s = [...v].sort((a, b) => a - b);
    return `${f0(s[Math.floor(s.length / 2)])} (${f0(s[0])}-${f0(s.at(-1))})`;
  };
  table(
    `W7 cold start of a new config, N sleep services, ms: median (min-max) of ${process.env.W7_ROUNDS ?? 5} alternated rounds`,
    ['services', 'supervisor', 'every pid', 'command returned', 'exit codes', 'node -e 0'],
    rows.map((r) =>
      r.runs[0].skipped
        ? [r.count, r.peer, `skipped: ${r.runs[0].skipped}`, '', '', '']
        : [
            r.count,
            r.peer,
            cell(r.runs.map((x) => x.everyPidMs)),
            cell(r.runs.map((x) => x.returnedMs)),
            [...new Set(r.runs.map((x) => x.code))].join(','),
            cell(r.nodeMs),
          ],
    ),
  );
}
