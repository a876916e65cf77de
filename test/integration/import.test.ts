import { mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { argvOf, envOf } from '../helpers/process-view.js';
import { builtinPlugins } from '../../cli/builtins.js';
import { loadConfig } from '../../core/config/load.js';
import { afterEachTest, runCli } from '../helpers/cli.js';
import { FIXTURE, type Fleet, fleetOf, freePort, tempDir, waitFor } from '../helpers/project.js';
import { needs } from '../helpers/tools.js';

/**
 * `zmart import` from each program's own file, then the imported fleet started with real
 * processes: what each process runs (its argv), with what (its environment), in which order.
 */
const state = afterEachTest(afterEach);
let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

/** The argv and environment a running process was given (Linux's /proc, our own children only). */

async function importAndStart(dir: string, source: string, env: Record<string, string> = {}) {
  const result = await runCli(['import', source], { cwd: dir, env });
  expect(result.code, result.stdout + result.stderr).toBe(0);
  const config = await loadConfig({ configPath: join(dir, 'zmart.config.ts'), builtins: builtinPlugins, env: {} });
  fleet = fleetOf(config, dir);
  await fleet.supervisor.start();
  const pidOf = (name: string) => fleet!.supervisor.snapshots().find((s) => s.name === name)?.pid ?? null;
  return { output: result.stdout, config, pidOf, text: readFileSync(join(dir, 'zmart.config.ts'), 'utf8') };
}

async function answers(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/`)).ok;
  } catch {
    return false;
  }
}

describe('zmart import, then start what it wrote', () => {
  it('a PM2 ecosystem.config.js: interpreter by extension, args, cwd, env (PORT as the port), memory limit, kill_timeout, autorestart', async () => {
    const { dir, cleanup } = tempDir();
    state.cleanups.push(cleanup);
    const port = await freePort();
    writeFileSync(join(dir, 'worker.sh'), 'echo "worker $GREETING"\nsleep 1000\n');
    writeFileSync(
      join(dir, 'ecosystem.config.js'),
      `const path = require('path');
module.exports = { apps: [
  { name: 'api', script: ${JSON.stringify(FIXTURE)}, args: ['--print', 'a "quoted" $word'], cwd: __dirname,
    env: { PORT: ${port}, GREETING: 'hi $there \\'x\\'', API_TOKEN: 'tok-1' }, max_memory_restart: '300M', kill_timeout: 3000 },
  { name: 'worker', script: path.join(__dirname, 'worker.sh'), autorestart: false, env: { GREETING: 'w' }, out_file: '/var/log/w.log', instances: 2 },
] };
`,
    );
    const { pidOf, text, output } = await importAndStart(dir, 'ecosystem.config.js');
    const api = await waitFor(() => pidOf('api'), 'api to run');
    expect(argvOf(api).slice(1)).toEqual([FIXTURE, '--print', 'a "quoted" $word']);
    expect(envOf(api)).toMatchObject({ PORT: String(port), GREETING: "hi $there 'x'", API_TOKEN: 'tok-1' });
    await waitFor(() => answers(port), 'api to answer on its PORT');
    // instances: 2 are two replicas
    const worker = await waitFor(() => pidOf('worker#2'), 'worker#2 to run');
    expect(argvOf(worker)).toEqual(['bash', join(dir, 'worker.sh')]);
    expect(envOf(worker).ZMART_REPLICA).toBe('2');
    expect(text).toMatch(/memory: \{ maxRss: "300MB" \}/);
    expect(text).toMatch(/stop: \{ timeout: "3s" \}/);
    expect(text).toMatch(/restart: \{ policy: "never" \}/);
    // a secret the source held in its file is kept, and the file is owner-only
    expect(statSync(join(dir, 'zmart.config.ts')).mode & 0o777).toBe(0o600);
    expect(output).toMatch(/apps\[1\] \(worker\)\.instances 2: 2 replicas/);
    expect(text).toContain('replicas: 2');
  });

  needs('/usr/bin/python3')("a PM2 app's .py script: with the virtualenv in its folder, else python3 where python is not on PATH, each said", async () => {
    const { dir, cleanup } = tempDir();
    state.cleanups.push(cleanup);
    const script = 'import os, time\nprint("up", os.environ.get("VIRTUAL_ENV"), flush=True)\ntime.sleep(1000)\n';
    for (const app of ['api', 'job']) {
      mkdirSync(join(dir, app));
      writeFileSync(join(dir, app, 'main.py'), script);
    }
    // api/venv: a virtualenv (its pyvenv.cfg, and a python in its bin/); job/ has none
    mkdirSync(join(dir, 'api', 'venv', 'bin'), { recursive: true });
    writeFileSync(join(dir, 'api', 'venv', 'pyvenv.cfg'), 'home = /usr/bin\n');
    symlinkSync('/usr/bin/python3', join(dir, 'api', 'venv', 'bin', 'python'));
    // the importing shell's PATH has python3 and no python, as on macOS since 12.3
    mkdirSync(join(dir, 'bin'));
    symlinkSync('/usr/bin/python3', join(dir, 'bin', 'python3'));
    writeFileSync(
      join(dir, 'ecosystem.config.js'),
      `module.exports = { apps: [ { name: 'api', script: 'main.py', cwd: 'api' }, { name: 'job', script: 'main.py', cwd: 'job' } ] };\n`,
    );
    const { pidOf, text, output } = await importAndStart(dir, 'ecosystem.config.js', { PATH: join(dir, 'bin') });
    expect(output).toContain('apps[0] (api): runs with the virtualenv in venv/ (venv: "venv")');
    expect(output).toContain('apps[1] (job): python3 runs it (PM2 would ask for python, which is not on this PATH)');
    expect(text).toContain('venv: "venv"');
    const [api, job] = [await waitFor(() => pidOf('api'), 'api to run'), await waitFor(() => pidOf('job'), 'job to run')];
    // each has printed its line: python runs (a launcher on PATH, pyenv's shim say, has exec'd it)
    await waitFor(() => readFileSync(join(dir, 'logs', 'api.log'), 'utf8').includes(`up ${join(dir, 'api', 'venv')}`), "api's line");
    await waitFor(() => readFileSync(join(dir, 'logs', 'job.log'), 'utf8').includes(`up ${process.env.VIRTUAL_ENV ?? 'None'}`), "job's line"); // no virtualenv of its own
    expect(argvOf(api)).toEqual(['python', 'main.py']); // the virtualenv's, first on its PATH
    expect(envOf(api).VIRTUAL_ENV).toBe(join(dir, 'api', 'venv'));
    expect(argvOf(job).slice(-1)).toEqual(['main.py']);
    expect(argvOf(job)[0]).toMatch(/python3/);
  });

  it('a supervisord.conf: command split without a shell, %(ENV_X)s and %(process_num)02d, environment, numprocs, priority as start order', async () => {
    const { dir, cleanup } = tempDir();
    state.cleanups.push(cleanup);
    const port = await freePort();
    writeFileSync(
      join(dir, 'supervisord.conf'),
      `[supervisord]
logfile=/tmp/never-written.log

[program:side]
command=/bin/sh -c "echo side %(process_num)d; exec sleep 1000"
process_name=%(program_name)s_%(process_num)02d
numprocs=2
priority=200

[program:web]
command=${process.execPath} ${FIXTURE} --port %(ENV_WEB_PORT)s --print "semi;colon" ; a comment
directory=%(here)s
environment=MSG="a b,c",LEVEL=debug
priority=100
stopsignal=INT
stopwaitsecs=3
`,
    );
    const { pidOf, config } = await importAndStart(dir, 'supervisord.conf', { WEB_PORT: String(port) });
    const web = await waitFor(() => pidOf('web'), 'web to run');
    expect(argvOf(web)).toEqual([process.execPath, FIXTURE, '--port', String(port), '--print', 'semi;colon']);
    expect(envOf(web)).toMatchObject({ MSG: 'a b,c', LEVEL: 'debug' });
    await waitFor(() => answers(port), 'web to answer');
    await waitFor(() => pidOf('side_00') && pidOf('side_01'), 'both side processes');
    // priority 100 before 200: the side processes wait for web
    const starts = fleet!.of('service:spawn').map((e) => e.service);
    expect(starts.indexOf('web')).toBeLessThan(starts.indexOf('side_00'));
    const side = config.services.find((s) => s.name === 'side_01')!;
    expect(side.command).toEqual(['/bin/sh', '-c', 'echo side 1; exec sleep 1000']);
    expect(config.services.find((s) => s.name === 'web')!.stop).toEqual({ signal: 'SIGINT', timeoutMs: 3000, mode: 'main' });
  });

  it('a Procfile with its .env: each line through /bin/sh, PORT from the .env as foreman counts it (base, +100)', async () => {
    const { dir, cleanup } = tempDir();
    state.cleanups.push(cleanup);
    const port = await freePort();
    writeFileSync(join(dir, '.env'), `PORT=${port}\nSECRET_KEY='k$1 x'\n`);
    writeFileSync(join(dir, 'Procfile'), `# the fleet\nweb: exec ${process.execPath} ${FIXTURE}\nworker: echo "working on $PORT"; exec sleep 1000\n`);
    const { pidOf, text } = await importAndStart(dir, 'Procfile');
    const web = await waitFor(() => pidOf('web'), 'web to run');
    expect(envOf(web)).toMatchObject({ PORT: String(port), SECRET_KEY: 'k$1 x' });
    await waitFor(() => answers(port), 'web to answer on the .env PORT');
    const worker = await waitFor(() => pidOf('worker'), 'worker to run');
    expect(envOf(worker).PORT).toBe(String(port + 100));
    expect(text).toContain('envFile: ".env"');
  });

  it('a Compose file: $$ and $VAR interpolation as Compose reads them, env_file, the healthcheck as a probe, depends_on service_healthy', async () => {
    const { dir, cleanup } = tempDir();
    state.cleanups.push(cleanup);
    const port = await freePort();
    writeFileSync(join(dir, 'web.env'), "API_SECRET='s3cr3t'\n");
    writeFileSync(
      join(dir, 'docker-compose.yml'),
      `services:
  web:
    image: node:20
    command: ["${process.execPath}", "${FIXTURE}", "--print", "costs $$5 for \${WHO:-nobody}"]
    environment:
      PRICE: "$$5 & 100%"
      WHO: \${WHO}
    env_file: web.env
    ports: ["127.0.0.1:${port}:${port}"]
    healthcheck:
      test: ["CMD", "${process.execPath}", "-e", "fetch('http://127.0.0.1:${port}/').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
      interval: 200ms
      timeout: 2s
      retries: 2
    restart: unless-stopped
    stop_grace_period: 3s
  after:
    command: sh -c 'echo "after web"; sleep 1000'
    depends_on:
      web: { condition: service_healthy }
    restart: always
`,
    );
    const { pidOf, config } = await importAndStart(dir, 'docker-compose.yml', { WHO: 'ops' });
    const web = await waitFor(() => pidOf('web'), 'web to run');
    expect(argvOf(web)).toEqual([process.execPath, FIXTURE, '--print', 'costs $5 for ops']);
    expect(envOf(web)).toMatchObject({ PRICE: '$5 & 100%', WHO: 'ops', API_SECRET: 's3cr3t', PORT: String(port) });
    await waitFor(() => fleet!.supervisor.snapshots().find((s) => s.name === 'web')?.health === 'healthy', 'web healthy by its imported check');
    const after = await waitFor(() => pidOf('after'), 'after to start once web is healthy');
    expect(argvOf(after)).toEqual(['sh', '-c', 'echo "after web"; sleep 1000']);
    const spawnedAfter = fleet!.of('service:spawn').find((e) => e.service === 'after')!.at;
    const healthy = fleet!.of('service:health').find((e) => e.service === 'web' && e.health === 'healthy')!.at;
    expect(spawnedAfter).toBeGreaterThanOrEqual(healthy);
    expect(config.services.find((s) => s.name === 'after')!.dependsOn).toEqual({ web: 'healthy' });
  });
});
