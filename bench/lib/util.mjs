import { get } from 'node:http';
// Helpers shared by the benchmarks: temp folders, free ports, polling, /proc scans.
import { spawnSync } from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const FIXTURE = join(ROOT, 'test/fixtures/server.mjs');
export const ZMART = join(ROOT, 'dist/bin/zmart.cjs');

export const tempDir = (prefix = 'zmart-bench-') => mkdtempSync(join(tmpdir(), prefix));
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A loopback port free now, never one this run handed out before (the kernel may repeat one). */
const handedOut = new Set();
export async function freePort() {
  for (;;) {
    const port = await new Promise((resolvePort) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address();
        server.close(() => resolvePort(port));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

export function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { encoding: 'utf8', ...options });
  return { code: result.status, out: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

/**
 * Live (not zombie) processes whose command line contains `needle`: [{ pid, ppid }].
 * `newerThan` skips pids up to it (a shorter scan).
 */
const napCell = new Int32Array(new SharedArrayBuffer(4));
/** Sleeps `ms` (fractions too) without the event loop: finer than setTimeout's 1 ms. */
export function nap(ms) {
  Atomics.wait(napCell, 0, 0, ms);
}

export function findProcesses(needle, { newerThan = 0 } = {}) {
  const found = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) <= newerThan) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (!cmd.includes(needle)) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue;
      found.push({ pid: Number(name), ppid: Number(fields[1]) });
    } catch {
      // gone
    }
  }
  return found;
}

export function alive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Is `pid` a descendant of `ancestor`? */
export function descendsFrom(pid, ancestor) {
  for (let p = pid, i = 0; p > 1 && i < 64; i += 1) {
    if (p === ancestor) return true;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      p = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      return false;
    }
  }
  return false;
}

export async function waitUntil(check, timeoutMs = 15_000, stepMs = 20) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) return null;
    await sleep(stepMs);
  }
}

export const healthy = (port) =>
  fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(500) }).then(
    (r) => r.ok,
    () => false,
  );

export function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  if (s.length === 0) return { median: NaN, p95: NaN };
  return { median: s[Math.floor(s.length / 2)], p95: s[Math.min(s.length - 1, Math.floor(s.length * 0.95))] };
}

/** Prints rows as a fixed-width table. */
export function table(title, header, rows) {
  console.log(`\n${title}`);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

/**
 * CPU time a process spent on a core, in ms, summed over its threads, from the scheduler
 * (/proc/PID/task/TID/schedstat): exact, where utime's clock ticks are charged by sampling and
 * alias with a timer that wakes a process on the tick (seen on this VM: a bare 2 Hz timer
 * charged 33 ticks in 30 s).
 */
export function schedCpuMs(pid) {
  return readdirSync(`/proc/${pid}/task`).reduce((sum, tid) => {
    try {
      return sum + Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
    } catch {
      return sum; // the thread ended meanwhile
    }
  }, 0);
}

/** One GET / on a new connection: null when answered 200, else how it failed (ECONNREFUSED, a status, timeout). */
export const askOnce = (port) =>
  new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200 ? null : `status ${res.statusCode}`));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error) => resolve(error.code ?? error.message));
  });

/** Whether the last 200 bytes of `file` hold `text` (a flood's last line has reached its log). */
export function endsWith(file, text) {
  if (!file) return false;
  try {
    const fd = openSync(file, 'r');
    try {
      const size = fstatSync(fd).size;
      const buf = Buffer.alloc(Math.min(200, size));
      readSync(fd, buf, 0, buf.length, Math.max(0, size - buf.length));
      return buf.toString().includes(text);
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

/** How many numbered lines make `mb` MB: 10-byte lines grow to 11 once numbers pass 9,999,999. */
export const floodLines = (mb, lineBytes) => Math.round((mb * 1024 * 1024) / (lineBytes === 10 ? 11 : lineBytes));
