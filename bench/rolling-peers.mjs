// The same restart under load through each supervisor, each configured the way its maintainers
// document zero-downtime (or their nearest) for 3 processes of one Node HTTP app:
// - zmart: `replicas: 3`, `socket: true` (the app accepts on fd 3), `zmart restart web` (rolling);
// - PM2 7: cluster mode, `instances: 3`, `wait_ready` + `process.send('ready')`, `pm2 reload web`;
// - supervisord: `numprocs=3` on three ports (it has no shared socket), `supervisorctl restart web:*`.
// The app is one file for all three: it answers its pid, and on SIGINT or SIGTERM finishes what it
// accepted, then exits. CLIENTS clients without pause (a new connection per request; for
// supervisord, round robin over its three ports), ROUNDS restarts each.
// `node bench/rolling-peers.mjs` after npm run build; PM2 from PM2_BIN or /tmp/pm2prefix
// (`npm install --prefix /tmp/pm2prefix pm2@7`), supervisord from Debian's `supervisor`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { supervisordConf } from './lib/peers.mjs';
import { askOnce, freePort, tempDir, ZMART } from './lib/util.mjs';

const CLIENTS = Number(process.env.CLIENTS ?? 8);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const PM2 = process.env.PM2_BIN ?? '/tmp/pm2prefix/node_modules/.bin/pm2';

const APP = `const http = require('http');
const server = http.createServer((req, res) => res.end(String(process.pid)));
const port = process.env.LISTEN_FDS ? { fd: 3 } : { port: Number(process.env.PORT) + Number(process.argv[2] ?? 0), host: '127.0.0.1' };
server.listen(port, () => { console.log('listening'); if (process.send) process.send('ready'); });
const stop = () => { server.closeIdleConnections = () => {}; server.close(() => process.exit(0)); setTimeout(() => process.exit(0), 5000).unref(); };
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
`;

const runAsync = (cmd, args, options) =>
  new Promise((resolve) => {
    const child = spawn(cmd, args, options);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (status) => resolve({ status, out }));
  });

async function underLoad(ports, restart) {
  let done = false;
  let answered = 0;
  const failures = new Map();
  let turn = 0;
  const client = async () => {
    while (!done) {
      const failed = await askOnce(ports[turn++ % ports.length]);
      if (failed) failures.set(failed, (failures.get(failed) ?? 0) + 1);
      else answered += 1;
    }
  };
  const clients = Array.from({ length: CLIENTS }, client);
  await new Promise((r) => setTimeout(r, 500)); // warm
  const times = [];
  for (let i = 0; i < ROUNDS; i += 1) {
    const t0 = Date.now();
    const result = await restart();
    if (result.status !== 0) throw new Error(`restart failed: ${result.out}`);
    times.push(Date.now() - t0);
    await new Promise((r) => setTimeout(r, 300));
  }
  done = true;
  await Promise.all(clients);
  const failed = [...failures.values()].reduce((a, b) => a + b, 0);
  return {
    answered,
    failed,
    kinds: [...failures].map(([k, n]) => `${k} ${n}`).join(', ') || '-',
    medianMs: times.sort((a, b) => a - b)[Math.floor(times.length / 2)],
  };
}

async function zmart() {
  const dir = tempDir('zmart-bench-roll-zmart-');
  const port = await freePort();
  writeFileSync(join(dir, 'app.js'), APP);
  const env = { ...process.env, ZMART_HOME: join(dir, 'home'), NO_COLOR: '1' };
  writeFileSync(
    join(dir, 'zmart.config.ts'),
    `export default { services: { web: { command: ${JSON.stringify([process.execPath, join(dir, 'app.js')])}, port: ${port}, socket: true, replicas: 3, ready: { logLine: 'listening' } } } };\n`,
  );
  const cli = (...args) => spawnSync(process.execPath, [ZMART, ...args], { cwd: dir, env, encoding: 'utf8' });
  if (cli('start').status !== 0) throw new Error('zmart start failed');
  try {
    return await underLoad([port], () => runAsync(process.execPath, [ZMART, 'restart', 'web'], { cwd: dir, env }));
  } finally {
    cli('stop');
  }
}

async function pm2() {
  if (!existsSync(PM2)) return { skipped: `no PM2 at ${PM2}` };
  const dir = tempDir('zmart-bench-roll-pm2-');
  const port = await freePort();
  writeFileSync(join(dir, 'app.js'), APP);
  const env = { ...process.env, PM2_HOME: join(dir, 'home'), PM2_DISABLE_VERSION_CHECK: 'true', NO_COLOR: '1' };
  const app = {
    name: 'web',
    script: join(dir, 'app.js'),
    instances: 3,
    exec_mode: 'cluster',
    env: { PORT: String(port) },
    wait_ready: true,
    listen_timeout: 10_000,
    kill_timeout: 5000,
  };
  writeFileSync(join(dir, 'ecosystem.config.cjs'), `module.exports = ${JSON.stringify({ apps: [app] })};\n`);
  const cli = (...args) => spawnSync(PM2, args, { cwd: dir, env, encoding: 'utf8' });
  if (cli('start', 'ecosystem.config.cjs').status !== 0) throw new Error('pm2 start failed');
  try {
    return await underLoad([port], () => runAsync(PM2, ['reload', 'web'], { cwd: dir, env }));
  } finally {
    cli('kill');
  }
}

async function supervisord() {
  if (spawnSync('which', ['supervisord']).status !== 0) return { skipped: 'no supervisord (apt-get install supervisor)' };
  const dir = tempDir('zmart-bench-roll-supervisord-');
  const base = await freePort();
  writeFileSync(join(dir, 'app.js'), APP);
  const conf = join(dir, 'supervisord.conf');
  writeFileSync(
    conf,
    supervisordConf(
      dir,
      `[program:web]
command=${process.execPath} ${join(dir, 'app.js')} %(process_num)d
process_name=%(program_name)s_%(process_num)d
numprocs=3
environment=PORT="${base}"
startsecs=1
stopasgroup=true
killasgroup=true
`,
    ),
  );
  const ctl = (...args) => spawnSync('supervisorctl', ['-c', conf, ...args], { cwd: dir, encoding: 'utf8' });
  if (spawnSync('supervisord', ['-c', conf], { cwd: dir }).status !== 0) throw new Error('supervisord failed');
  for (let i = 0; i < 50 && !ctl('status').stdout.match(/RUNNING[\s\S]*RUNNING[\s\S]*RUNNING/); i += 1) await new Promise((r) => setTimeout(r, 200));
  try {
    return await underLoad([base, base + 1, base + 2], () => runAsync('supervisorctl', ['-c', conf, 'restart', 'web:*'], { cwd: dir }));
  } finally {
    ctl('shutdown');
  }
}

console.log(`3 processes of one Node app, ${CLIENTS} clients without pause (a new connection per request), ${ROUNDS} restarts each:`);
console.log('| supervisor | how | requests answered | failed | how they failed | restart, median |');
console.log('|---|---|---|---|---|---|');
for (const [name, how, run] of [
  ['zmart', 'replicas: 3, socket: true; zmart restart (rolling)', zmart],
  ['PM2 7', 'cluster, instances: 3, wait_ready; pm2 reload', pm2],
  ['supervisord', 'numprocs=3 on 3 ports; supervisorctl restart web:*', supervisord],
]) {
  const r = await run();
  if (r.skipped) console.log(`| ${name} | ${how} | - | - | skipped: ${r.skipped} | - |`);
  else console.log(`| ${name} | ${how} | ${r.answered} | ${r.failed} | ${r.kinds} | ${r.medianMs} ms |`);
}
