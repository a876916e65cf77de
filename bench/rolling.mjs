// Restarts without downtime: requests on a new connection each, from CLIENTS concurrent clients
// without pause, while `zmart restart web` runs ROUNDS times, for a service of 1 and of 3
// processes with `socket: true` (a Node server accepting on fd 3, answering its pid, finishing
// what it accepted on SIGTERM), and the same 1 process without the socket for reference.
// Counts failed requests and times each restart. `node bench/rolling.mjs` after npm run build.
// (PM2's cluster reload and supervisord's numprocs restart are not in this run: neither is
// installed here; see RESULTS.md.)
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { askOnce, FIXTURE, freePort, tempDir, ZMART } from './lib/util.mjs';

const CLIENTS = Number(process.env.CLIENTS ?? 8);
const ROUNDS = Number(process.env.ROUNDS ?? 5);

async function measure(name, service) {
  const dir = tempDir('zmart-bench-rolling-');
  const port = await freePort();
  const env = { ...process.env, ZMART_HOME: join(dir, 'home'), NO_COLOR: '1' };
  const zmart = (...args) => spawnSync(process.execPath, [ZMART, ...args], { cwd: dir, env, encoding: 'utf8' });
  // the clients run in this process: a restart must not block its event loop
  const zmartAsync = (...args) =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [ZMART, ...args], { cwd: dir, env });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('close', (status) => resolve({ status, stdout: out, stderr: '' }));
    });
  writeFileSync(
    join(dir, 'zmart.config.ts'),
    `export default { services: { web: { port: ${port}, ${service(JSON.stringify([process.execPath, FIXTURE]))} } } };\n`,
  );
  const started = zmart('start');
  if (started.status !== 0) throw new Error(`${name}: zmart start failed: ${started.stdout}${started.stderr}`);
  let done = false;
  let answered = 0;
  const failures = new Map();
  const client = async () => {
    while (!done) {
      const failed = await askOnce(port);
      if (failed) failures.set(failed, (failures.get(failed) ?? 0) + 1);
      else answered += 1;
    }
  };
  const clients = Array.from({ length: CLIENTS }, client);
  const times = [];
  for (let i = 0; i < ROUNDS; i += 1) {
    const t0 = Date.now();
    const result = await zmartAsync('restart', 'web');
    if (result.status !== 0) throw new Error(`${name}: restart failed: ${result.stdout}${result.stderr}`);
    times.push(Date.now() - t0);
  }
  done = true;
  await Promise.all(clients);
  zmart('stop');
  const failed = [...failures.values()].reduce((a, b) => a + b, 0);
  return {
    name,
    answered,
    failed,
    kinds: [...failures].map(([k, n]) => `${k} ${n}`).join(', ') || '-',
    medianMs: times.sort((a, b) => a - b)[Math.floor(times.length / 2)],
  };
}

const argv = (base) => JSON.parse(base);
const cases = [
  ['1 process, no socket (port)', (base) => `command: ${JSON.stringify([...argv(base), '--listen-after', '0'])}, readyAfter: 300`],
  ['1 process, socket: true', (base) => `command: ${JSON.stringify([...argv(base), '--listen-fd'])}, socket: true, ready: { logLine: 'listening on fd 3' }`],
  [
    '3 replicas, socket: true',
    (base) => `command: ${JSON.stringify([...argv(base), '--listen-fd'])}, socket: true, replicas: 3, ready: { logLine: 'listening on fd 3' }`,
  ],
];
console.log(`${CLIENTS} clients without pause (a new connection per request), ${ROUNDS} restarts each:`);
console.log('| service | requests answered | failed | how | restart, median |');
console.log('|---|---|---|---|---|');
for (const [name, service] of cases) {
  const r = await measure(name, service);
  console.log(`| ${r.name} | ${r.answered} | ${r.failed} | ${r.kinds} | ${r.medianMs} ms |`);
}
