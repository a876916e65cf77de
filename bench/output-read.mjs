// Issue 30, item 3: how fast can a Node process read a child's output at all? The W4 writer
// (test/fixtures/server.mjs --flood) into a file through bare readers that do nothing per line,
// each chunk written with writeSync, against `cat` reading a pipe (what supervisord, a Python
// select loop over pipes, reaches here):
//   spawn 'pipe' + data   what zmart does: the socketpair Node's spawn makes, a stream's 'data' events
//   pair + onread         a unix socket pair made through a private net.Server, read with `onread`
//                         (one buffer reused, no stream in between, no Buffer per read)
//   fifo + onread         a FIFO (mkfifo) read the same way
//   fifo + data           the FIFO as a stream
//   pipe | cat            sh -c '"$@" | cat', cat writing the file
// `MB` (default 200), `LINE_BYTES` (100), `ROUNDS` (5, alternated): MB/s from the spawn until the
// reader saw the end, median (min-max), and the mean bytes per read. Linux and macOS (mkfifo).
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, openSync, rmSync, writeSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { FIXTURE, floodLines, table, tempDir } from './lib/util.mjs';

const MB = Number(process.env.MB ?? 200);
const LINE_BYTES = Number(process.env.LINE_BYTES ?? 100);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const dir = tempDir('zmart-output-read-');
const writer = [process.execPath, FIXTURE, '--flood', String(floodLines(MB, LINE_BYTES)), '--line-bytes', String(LINE_BYTES), '--exit-when-done'];
const shared = Buffer.allocUnsafe(256 * 1024);

/** Times one reader: `open(file fd)` returns the stdio entry for the child and resolves once the reader saw the end. */
async function timed(name, open) {
  const fd = openSync(join(dir, `${name}.log`), 'w');
  const counts = { reads: 0, bytes: 0 };
  const sink = (buffer, length) => {
    counts.reads += 1;
    counts.bytes += length;
    writeSync(fd, buffer, 0, length);
  };
  const t0 = performance.now();
  await open(sink);
  const ms = performance.now() - t0;
  closeSync(fd);
  return { mbps: MB / (ms / 1000), perRead: counts.bytes / Math.max(1, counts.reads) };
}

function spawnData(sink) {
  const child = spawn(writer[0], writer.slice(1), { stdio: ['ignore', 'pipe', 'ignore'] });
  child.stdout.on('data', (chunk) => sink(chunk, chunk.length));
  return new Promise((resolve) => child.stdout.once('end', resolve));
}

let server;
const accepts = [];
async function pairOnread(sink) {
  if (!server) {
    server = net.createServer({ pauseOnConnect: true }, (socket) => accepts.shift()(socket));
    await new Promise((resolve) => server.listen(join(dir, 'pairs.sock'), resolve));
  }
  const accepted = new Promise((resolve) => accepts.push(resolve));
  const reader = net.connect({ path: join(dir, 'pairs.sock'), onread: { buffer: shared, callback: (n, buffer) => sink(buffer, n) } });
  const end = new Promise((resolve) => reader.once('end', resolve));
  const childEnd = await accepted;
  reader.end(); // we never write
  spawn(writer[0], writer.slice(1), { stdio: ['ignore', childEnd, 'ignore'] });
  childEnd.destroy();
  return end;
}

function fifo(onread) {
  return (sink) => {
    const path = join(dir, 'out.fifo');
    rmSync(path, { force: true });
    spawnSync('mkfifo', ['-m', '600', path]);
    const readEnd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const writeEnd = openSync(path, constants.O_WRONLY);
    rmSync(path);
    const reader = onread
      ? new net.Socket({ fd: readEnd, readable: true, onread: { buffer: shared, callback: (n, buffer) => sink(buffer, n) } })
      : new net.Socket({ fd: readEnd, readable: true }).on('data', (chunk) => sink(chunk, chunk.length));
    const end = new Promise((resolve) => reader.once('end', resolve));
    spawn(writer[0], writer.slice(1), { stdio: ['ignore', writeEnd, 'ignore'] });
    closeSync(writeEnd);
    return end.then(() => reader.destroy());
  };
}

async function throughCat() {
  const fd = openSync(join(dir, 'cat.log'), 'w');
  const t0 = performance.now();
  await new Promise((resolve) => spawn('sh', ['-c', '"$@" | cat', 'sh', ...writer], { stdio: ['ignore', fd, 'ignore'] }).once('exit', resolve));
  const ms = performance.now() - t0;
  closeSync(fd);
  return { mbps: MB / (ms / 1000), perRead: NaN };
}

const readers = [
  ['spawn pipe + data', (n) => timed(n, spawnData)],
  ['pair + onread', (n) => timed(n, pairOnread)],
  ['fifo + onread', (n) => timed(n, fifo(true))],
  ['fifo + data', (n) => timed(n, fifo(false))],
  ['pipe | cat', throughCat],
];
const results = readers.map(() => []);
try {
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [k, [name, run]] of readers.entries()) results[k].push(await run(name.replace(/\W+/g, '-')));
  }
} finally {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
table(
  `${MB} MB of ${LINE_BYTES}-byte lines, ${ROUNDS} alternated rounds, MB/s median (min-max)`,
  ['reader', 'MB/s', 'KB per read'],
  readers.map(([name], k) => {
    const mbps = results[k].map((r) => r.mbps);
    const perRead = median(results[k].map((r) => r.perRead));
    return [
      name,
      `${median(mbps).toFixed(0)} (${Math.min(...mbps).toFixed(0)}-${Math.max(...mbps).toFixed(0)})`,
      Number.isNaN(perRead) ? '-' : (perRead / 1024).toFixed(1),
    ];
  }),
);
