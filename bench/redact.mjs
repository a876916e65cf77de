// What redaction by value costs the log path: W4 (a service writing 100-byte lines as fast as it
// can, until its last line is in the log) through zmart with no secret configured, then with 20
// secret values (env variables with secret-looking names and URLs with passwords, none of them
// in the output: the common case), runs alternated so that the machine's drift hits both.
// Target (issue 27): within 5 % of none. `node bench/redact.mjs` (after npm run build);
// REDACT_RUNS (default 7), REDACT_MB (default 200).
import { createRedactor } from '../dist/core/logging/redact.js';
import { zmartPeer } from './lib/peers.mjs';
import { w4Logs } from './workloads.mjs';

const RUNS = Number(process.env.REDACT_RUNS ?? 7);
const MB = Number(process.env.REDACT_MB ?? 200);
const secrets = Object.fromEntries(
  Array.from({ length: 20 }, (_, i) =>
    i % 2 === 0 ? [`API_KEY_${i}`, `sk-live-${i}-${'x'.repeat(20)}${i}`] : [`DB_${i}_URL`, `postgres://user${i}:pw-${i}-secret@db${i}/app`],
  ),
);
// The redactor alone, on 64 KB chunks of stamped lines (what a pipe read gives): the cost that
// end-to-end runs, whose spread on a 2-core VM is wider than 5 %, cannot show by themselves.
const chunk = Buffer.from(Array.from({ length: 700 }, (_, i) => `2026-12-05T09:00:00.000Z out ${'x'.repeat(60)} n ${String(i).padStart(7, '0')}\n`).join(''));
const values = Object.values(secrets).flatMap((v) => (v.includes('://') ? [v.split(':')[2].split('@')[0]] : [v]));
for (const [name, redactor] of [
  ['none', createRedactor([])],
  ['20 secrets', createRedactor(values)],
]) {
  const rounds = 20_000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < rounds; i += 1) redactor.bytes(chunk);
  const ns = Number(process.hrtime.bigint() - t0) / rounds;
  console.log(
    `redactor.bytes, ${name}: ${(ns / 1000).toFixed(1)} µs per 64 KB chunk (${((chunk.length / ns) * 1000).toFixed(0)} MB/s): ${((ns * ((MB * 1024 * 1024) / chunk.length)) / 1e6).toFixed(0)} ms per ${MB} MB`,
  );
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = { none: [], twenty: [] };
for (let i = 0; i < RUNS; i += 1) {
  for (const [name, env] of [
    ['none', undefined],
    ['twenty', secrets],
  ]) {
    const run = await w4Logs(zmartPeer, MB, { rotate: false, lineBytes: 100, env });
    if (run.skipped || run.timedOut || run.lost || run.broken) throw new Error(`run ${i} (${name}) went wrong: ${JSON.stringify(run)}`);
    results[name].push(run.mbps);
  }
}
const [none, twenty] = [median(results.none), median(results.twenty)];
console.log(`W4, ${MB} MB of 100-byte lines through zmart, median of ${RUNS} runs each (alternated):`);
console.log(`  no secret configured: ${none.toFixed(0)} MB/s   (runs: ${results.none.map((x) => x.toFixed(0)).join(', ')})`);
console.log(`  20 secrets configured: ${twenty.toFixed(0)} MB/s   (runs: ${results.twenty.map((x) => x.toFixed(0)).join(', ')})`);
console.log(`  20 secrets vs none, medians: ${((twenty / none - 1) * 100).toFixed(1)} %`);
// each pair ran back to back: the median of the pairs' ratios takes the machine's drift out
const paired = median(results.twenty.map((t, i) => t / results.none[i]));
console.log(`  20 secrets vs none, median of the ${RUNS} pairs: ${((paired - 1) * 100).toFixed(1)} % (target: within 5 %)`);
