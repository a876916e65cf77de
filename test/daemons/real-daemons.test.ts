import { spawnSync } from 'node:child_process';
import { chownSync, chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { get } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../core/status/types.js';
import { createProject, type Project } from '../helpers/daemon.js';
import { freePort, isAlive, readText, waitFor } from '../helpers/project.js';

/**
 * Real daemons under zmart as their operators run them (Debian's redis-server, nginx,
 * PostgreSQL 15, gunicorn with uvicorn workers, Prometheus): .ci/run installs them. A missing
 * one fails here with what to install, never skips.
 */
const need = (path: string, pkg: string) => {
  if (!existsSync(path)) throw new Error(`${path} is missing: apt-get install ${pkg}`);
  return path;
};
const PG = '/usr/lib/postgresql/15/bin';

let project: Project | undefined;
const cleanups: Array<() => void> = [];
afterEach(async () => {
  await project?.cleanup();
  project = undefined;
  for (const c of cleanups.splice(0)) c();
});

const status = async (p: Project) => JSON.parse((await p.zmart(['status', '--json'])).stdout) as StatusReport;
const service = async (p: Project, name: string) => (await status(p)).services.find((s) => s.name === name)!;
const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });

describe('redis-server', () => {
  it('comes up healthy, recovers from kill -9, and keeps its data across a reload of supervision settings', async () => {
    const redis = need('/usr/bin/redis-server', 'redis-server');
    const cli = need('/usr/bin/redis-cli', 'redis-tools');
    const port = await freePort();
    const config = (maxRss: string) => `{ services: { redis: {
      command: [${JSON.stringify(redis)}, '--port', '${port}', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      port: ${port}, health: { tcp: true, interval: '500ms' }, memory: { maxRss: '${maxRss}' } } } }`;
    project = createProject(config('512MB'));
    const p = project;
    expect((await p.zmart(['start'])).code).toBe(0);
    const first = p.pid('redis')!;
    process.kill(first, 'SIGKILL');
    await waitFor(async () => {
      const s = await service(p, 'redis');
      return s.pid !== first && s.health === 'healthy';
    }, 'redis back and healthy');
    expect(run(cli, ['-p', String(port), 'set', 'key', 'kept']).stdout.trim()).toBe('OK');
    const pid = p.pid('redis');
    p.writeConfig(config('1GB'));
    expect((await p.zmart(['reload'])).stdout).toContain('updated (kept running): redis');
    expect(p.pid('redis')).toBe(pid);
    expect(run(cli, ['-p', String(port), 'get', 'key']).stdout.trim()).toBe('kept');
  });
});

describe('nginx', () => {
  it('reloads its config on zmart signal HUP, and stops with its master leading (stop.mode main)', async () => {
    const nginx = need('/usr/sbin/nginx', 'nginx');
    const port = await freePort();
    project = createProject('{ services: {} }');
    const p = project;
    const conf = (body: string) =>
      writeFileSync(
        join(p.dir, 'nginx.conf'),
        `worker_processes 2; pid ${p.dir}/nginx.pid; error_log stderr notice; events {}
http { access_log off; client_body_temp_path ${p.dir}; proxy_temp_path ${p.dir}; fastcgi_temp_path ${p.dir}; uwsgi_temp_path ${p.dir}; scgi_temp_path ${p.dir};
  server { listen 127.0.0.1:${port}; location / { return 200 '${body}'; } } }\n`,
      );
    conf('first');
    p.writeConfig(`{ services: { nginx: {
      command: [${JSON.stringify(nginx)}, '-p', ${JSON.stringify(p.dir)}, '-c', 'nginx.conf', '-g', 'daemon off;'],
      port: ${port}, health: { path: '/', interval: '500ms' }, stop: { signal: 'SIGQUIT', mode: 'main', timeout: '5s' } } } }`);
    expect((await p.zmart(['start'])).code).toBe(0);
    const get = async () => (await fetch(`http://127.0.0.1:${port}/`)).text();
    expect(await get()).toBe('first');
    conf('second');
    expect((await p.zmart(['signal', 'nginx', 'HUP'])).code).toBe(0);
    // an old worker closes the connection fetch kept alive as it shuts down gracefully: not yet, ask again
    await waitFor(async () => (await get().catch(() => '')) === 'second', 'nginx to serve its new config');
    const s = await service(p, 'nginx');
    expect(s).toMatchObject({ state: 'running', restarts: 0 });
    expect((await p.zmart(['stop'])).code).toBe(0);
    expect(readText(join(p.logDir, 'nginx.log'))).toMatch(/gracefully shutting down/);
    expect(readText(join(p.logDir, 'server_shutdown.log'))).not.toContain('did not stop within');
  });
});

describe('PostgreSQL', () => {
  it('runs as user postgres and shuts down smart (stop.mode main): an open session finishes, the next start finds a clean shutdown', async () => {
    need(`${PG}/postgres`, 'postgresql');
    const data = mkdtempSync(join(tmpdir(), 'zmart-pg-'));
    cleanups.push(() => rmSync(data, { recursive: true, force: true }));
    const ids = run('/usr/bin/id', ['-u', 'postgres']);
    const uid = Number(ids.stdout);
    chownSync(data, uid, uid);
    chmodSync(data, 0o700);
    const init = spawnSync(`${PG}/initdb`, ['-D', join(data, 'db'), '-A', 'trust', '-U', 'postgres'], {
      uid,
      gid: uid,
      cwd: data,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(init.status, init.stderr).toBe(0);
    const port = await freePort();
    project = createProject(`{ services: { pg: {
      command: [${JSON.stringify(`${PG}/postgres`)}, '-D', 'db', '-k', ${JSON.stringify(data)}, '-p', '${port}', '-h', '127.0.0.1'],
      cwd: ${JSON.stringify(data)}, user: 'postgres', port: ${port},
      ready: { logLine: 'database system is ready to accept connections' },
      stop: { signal: 'SIGTERM', mode: 'main', timeout: '20s' } } } }`);
    const p = project;
    expect((await p.zmart(['start'])).code).toBe(0);
    const psql = (sql: string) =>
      spawnSync('/usr/bin/psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-Atc', sql], { encoding: 'utf8', timeout: 20_000 });
    expect(psql('select current_user').stdout.trim()).toBe('postgres');
    expect(run('/usr/bin/stat', ['-c', '%U', `/proc/${p.pid('pg')}`]).stdout.trim()).toBe('postgres');
    expect((await p.zmart(['signal', 'pg', 'HUP'])).code).toBe(0);
    await waitFor(() => readText(join(p.logDir, 'pg.log')).includes('received SIGHUP, reloading configuration files'), 'postgres to reload');
    // A session under way when the stop comes: a smart shutdown lets it finish.
    const { spawn } = await import('node:child_process');
    const open = spawn('/usr/bin/psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-Atc', 'select pg_sleep(2); select 42'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    open.stdout!.on('data', (d) => (out += d));
    const done = new Promise<number | null>((resolve) => open.on('close', resolve));
    await waitFor(() => psql("select count(*) from pg_stat_activity where query like 'select pg_sleep%'").stdout.trim() === '1', 'the session to be under way');
    expect((await p.zmart(['stop'])).code).toBe(0);
    expect(await done).toBe(0);
    expect(out).toContain('42');
    expect(readText(join(p.logDir, 'pg.log'))).toMatch(/received smart shutdown request/);
    expect((await p.zmart(['start'])).code).toBe(0);
    expect(readText(join(p.logDir, 'pg.log'))).toMatch(/database system was shut down at/);
  });
});

describe('gunicorn with uvicorn workers', () => {
  it('scales on zmart signal TTIN, recovers from kill -9 of its master, and stops with its master leading', async () => {
    const gunicorn = need('/usr/bin/gunicorn', 'gunicorn python3-uvicorn');
    const port = await freePort();
    project = createProject('{ services: {} }');
    const p = project;
    writeFileSync(
      join(p.dir, 'app.py'),
      `async def app(scope, receive, send):\n    if scope['type'] != 'http':\n        return\n    await send({'type': 'http.response.start', 'status': 200, 'headers': [(b'content-type', b'text/plain')]})\n    await send({'type': 'http.response.body', 'body': b'ok'})\n`,
    );
    p.writeConfig(`{ services: { api: {
      command: [${JSON.stringify(gunicorn)}, '-k', 'uvicorn.workers.UvicornWorker', '-w', '2', '-b', '127.0.0.1:${port}', 'app:app'],
      port: ${port}, health: { path: '/', interval: '500ms' }, stop: { mode: 'main', timeout: '10s' } } } }`);
    expect((await p.zmart(['start'])).code).toBe(0);
    await waitFor(async () => (await service(p, 'api')).processes === 3, 'a master and two workers');
    expect((await p.zmart(['signal', 'api', 'TTIN'])).code).toBe(0);
    await waitFor(async () => (await service(p, 'api')).processes === 4, 'a third worker');
    const master = p.pid('api')!;
    process.kill(master, 'SIGKILL');
    await waitFor(async () => {
      const s = await service(p, 'api');
      return s.pid !== master && s.health === 'healthy';
    }, 'gunicorn back and healthy');
    expect((await p.zmart(['stop'])).code).toBe(0);
    const log = readText(join(p.logDir, 'api.log'));
    expect(log).toContain('Handling signal: term');
    expect(log).toContain('Shutting down: Master');
    expect(readText(join(p.logDir, 'server_shutdown.log'))).not.toContain('did not stop within');
  });
});

describe('uvicorn on the socket zmart holds (socket: true, --fd 3)', () => {
  it('restarts twice under requests without pause: none is refused (uvicorn may cut one it had accepted when told to stop)', async () => {
    const python = need('/usr/bin/python3', 'python3-uvicorn');
    const port = await freePort();
    project = createProject('{ services: {} }');
    const p = project;
    writeFileSync(
      join(p.dir, 'app.py'),
      `import os\nasync def app(scope, receive, send):\n    if scope['type'] != 'http':\n        return\n    await send({'type': 'http.response.start', 'status': 200, 'headers': [(b'content-type', b'text/plain')]})\n    await send({'type': 'http.response.body', 'body': str(os.getpid()).encode()})\n`,
    );
    p.writeConfig(`{ services: { api: {
      command: [${JSON.stringify(python)}, '-m', 'uvicorn', 'app:app', '--fd', '3'],
      port: ${port}, socket: true, ready: { logLine: 'Application startup complete' } } } }`);
    expect((await p.zmart(['start'])).code).toBe(0);
    const ask = () =>
      new Promise<string>((resolve, reject) => {
        const req = get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 10_000 }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`status ${res.statusCode}`))));
        });
        req.on('error', reject);
      });
    const first = p.pid('api')!;
    expect(await ask()).toBe(String(first));
    const failed: string[] = [];
    const pids = new Set<string>();
    let done = false;
    const client = async () => {
      while (!done)
        await ask().then(
          (pid) => pids.add(pid),
          (error: Error) => failed.push(error.message),
        );
    };
    const clients = Array.from({ length: 4 }, client);
    for (let i = 0; i < 2; i += 1) expect((await p.zmart(['restart', 'api'])).code).toBe(0);
    await waitFor(async () => (await ask()) === String(p.pid('api')), 'the new uvicorn answering');
    done = true;
    await Promise.all(clients);
    // never refused: the socket stayed open between the processes. uvicorn closes a connection it
    // accepted but had not read yet when it shuts down (a reset): at most one per client and restart.
    expect(failed.filter((f) => !/ECONNRESET|socket hang up/.test(f))).toEqual([]);
    expect(failed.length).toBeLessThanOrEqual(4 * 2);
    expect(pids.size).toBeGreaterThanOrEqual(2);
    console.log(`uvicorn, 2 restarts under 4 clients without pause: ${failed.length} connections reset, none refused`);
    expect((await p.zmart(['stop'])).code).toBe(0);
  });
});

describe('Prometheus', () => {
  it("sees increase() of a service's first crash through the metrics plugin", async () => {
    const prometheus = need('/usr/bin/prometheus', 'prometheus');
    const [metricsPort, promPort] = [await freePort(), await freePort()];
    project = createProject('{ services: {} }');
    const p = project;
    writeFileSync(
      join(p.dir, 'zmart.config.ts'),
      `import { defineConfig } from 'zmart';
import metrics from 'zmart/plugins/metrics';
export default defineConfig({ services: { api: { command: ['sleep', '600'], readyAfter: 100, restart: { backoff: { initial: 10 } } } },
  plugins: [metrics({ listen: '127.0.0.1:${metricsPort}' })] });
`,
    );
    writeFileSync(
      join(p.dir, 'prometheus.yml'),
      `global: { scrape_interval: 1s, evaluation_interval: 1s }\nscrape_configs: [{ job_name: zmart, static_configs: [{ targets: ['127.0.0.1:${metricsPort}'] }] }]\n`,
    );
    expect((await p.zmart(['start'])).code).toBe(0);
    const { spawn } = await import('node:child_process');
    const server = spawn(
      prometheus,
      [`--config.file=${join(p.dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(p.dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`],
      {
        stdio: 'ignore',
        detached: true,
      },
    );
    cleanups.push(() => {
      try {
        process.kill(-server.pid!, 'SIGKILL');
      } catch {}
    });
    const query = async (q: string) => {
      const r = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`).catch(() => null);
      // (503 while it starts)
      const body = r?.ok ? ((await r.json()) as { data?: { result?: Array<{ value: [number, string] }> } }) : null;
      return body?.data?.result?.[0]?.value[1] ?? null;
    };
    // at least two scrapes with the counter at 0 before the crash
    await waitFor(
      async () => Number(await query('count_over_time(zmart_service_restarts_total{reason="exit"}[1m])')) >= 2,
      'Prometheus scraping the 0',
      20_000,
    );
    process.kill(p.pid('api')!, 'SIGKILL');
    await waitFor(
      async () => Number(await query('increase(zmart_service_restarts_total{service="api",reason="exit"}[1m])')) > 0,
      'increase() of the first crash',
      20_000,
    );
    expect(isAlive(server.pid!)).toBe(true);
  });
});
