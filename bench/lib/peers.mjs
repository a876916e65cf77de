// The supervisors compared: zmart, and when available PM2 (from npm, in a temp prefix, its own
// PM2_HOME) and supervisord (Debian's `supervisor`, its own config and socket in a temp folder).
// Each adapter starts a set of services, can be killed with SIGKILL and started again, and stops.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alive, run, tempDir, waitUntil, ZMART as ZMART_BUILD } from './util.mjs';

/** A service to run: a name and an argv; `restart` settings as close as each tool allows. */
// { name, argv, port?, maxRestarts, restartDelayMs }

/**
 * zmart as `zmart start` runs it; with `daemonFlags`, its daemon started directly with those Node
 * flags instead of zmart's own (bench/daemon-flags.mjs compares them), followed until every
 * service runs. `cli` runs another build's command (ZMART_BASELINE: an A/B of two builds).
 */
export function zmartPeer({ daemonFlags = null, cli: ZMART = ZMART_BUILD, name = 'zmart' } = {}) {
  const dir = tempDir('zmart-bench-zmart-');
  const env = { ...process.env, ZMART_HOME: join(dir, 'home'), NO_COLOR: '1' };
  const cli = (...args) => run(process.execPath, [ZMART, ...args], { cwd: dir, env });
  const startDirect = (count) => {
    // as `zmart start` would, the config is transpiled into jiti's cache first (any command that
    // loads it does): a daemon that transpiles it itself keeps ~10 MB of babel for its life
    cli('export', 'compose');
    spawn(process.execPath, [...daemonFlags, join(ZMART, '..', 'daemon.js'), '--config', join(dir, 'zmart.config.ts')], {
      cwd: dir,
      env,
      detached: true,
      stdio: 'ignore',
    }).unref();
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const status = cli('status', '--json');
      if (status.code !== 3 && JSON.parse(status.out).services.filter((s) => s.state === 'running').length === count) return { code: 0, out: '' };
      spawnSync('sleep', ['0.02']);
    }
    return { code: 1, out: 'the daemon did not run every service within 60 s' };
  };
  return {
    name,
    dir,
    available: () => (existsSync(ZMART) ? null : 'run npm run build first'),
    rotation: true,
    logFiles: (name) => {
      const logs = join(dir, 'logs');
      if (!existsSync(logs)) return [];
      const files = readdirSync(logs)
        .filter((f) => f.startsWith(`${name}.log.`))
        .sort()
        .map((f) => join(logs, f));
      return existsSync(join(logs, `${name}.log`)) ? [...files, join(logs, `${name}.log`)] : files;
    },
    start(services, options = {}) {
      if (daemonFlags) {
        this.startCommand(services, options);
        return startDirect(services.length);
      }
      const [cmd, args, runOptions] = this.startCommand(services, options);
      return run(cmd, args, runOptions);
    },
    /** Writes the config; returns the command that starts the fleet, as [command, args, options]. */
    startCommand(services, { health = false, healthInterval = '1s', rotateBytes = null, noRestart = false, timestamps = true } = {}) {
      const entries = services.map(
        (s) =>
          `${JSON.stringify(s.name)}: { command: ${JSON.stringify(s.argv)}, ${s.port ? `port: ${s.port},` : ''} readyAfter: 0, ${s.env ? `env: ${JSON.stringify(s.env)},` : ''}
            ${health && s.port ? `health: { path: '/health', interval: '${healthInterval}', startPeriod: '5s' },` : ''}
            ${timestamps ? '' : 'logs: { timestamps: false },'}
            restart: { ${noRestart ? "policy: 'never', " : ''}maxRestarts: ${s.maxRestarts}, backoff: { initial: ${s.restartDelayMs}, factor: 1, max: ${s.restartDelayMs} }, minUptime: ${s.minUptimeMs ?? 0} } }`,
      );
      const plugins = rotateBytes
        ? `plugins: [(await import('zmart/plugins/log-rotate')).default({ maxSize: ${rotateBytes}, keep: 10000, compress: false }), (await import('zmart/plugins/health-http')).default()],`
        : `plugins: [(await import('zmart/plugins/log-rotate')).default({ maxSize: null, interval: null }), (await import('zmart/plugins/health-http')).default()],`;
      writeFileSync(
        join(dir, 'zmart.config.ts'),
        `import { defineConfig } from 'zmart';\nexport default defineConfig({ services: { ${entries.join(',\n')} }, ${plugins} });\n`,
      );
      return [process.execPath, [ZMART, 'start', '--wait', '120s'], { cwd: dir, env }];
    },
    supervisorPid: () => Number(readFileSync(join(dir, 'server_pids/monitor.pid'), 'utf8')),
    restartSupervisor: () => cli('start', '--wait', '60s'),
    state: (name) => JSON.parse(cli('status', '--json').out).services.find((s) => s.name === name)?.state,
    statusCommand: () => [process.execPath, [ZMART, 'status'], { cwd: dir, env }],
    stop: () => cli('stop'),
  };
}

export function pm2Peer() {
  const dir = tempDir('zmart-bench-pm2-');
  const bin = process.env.PM2_BIN ?? join(process.env.PM2_PREFIX ?? '/tmp/pm2prefix', 'node_modules/.bin/pm2');
  const env = { ...process.env, PM2_HOME: join(dir, 'home'), PM2_DISABLE_VERSION_CHECK: 'true', PM2_API_IPC_PORT: '', NO_COLOR: '1' };
  const pm2 = (...args) => run(bin, args, { cwd: dir, env });
  return {
    name: 'pm2',
    dir,
    available: () => (existsSync(bin) ? null : `no PM2 at ${bin} (npm install --prefix /tmp/pm2prefix pm2, or set PM2_BIN)`),
    rotation: false,
    logFiles: (name) => {
      const file = join(dir, 'home/logs', `${name}-out.log`);
      return existsSync(file) ? [file] : [];
    },
    start(services, options = {}) {
      const [cmd, args, runOptions] = this.startCommand(services, options);
      return run(cmd, args, runOptions);
    },
    startCommand(services, { noRestart = false } = {}) {
      // PM2 runs node scripts through its own wrapper, whose command line hides the script's
      // arguments: run a tiny exec script instead, so the service is the process we look for.
      const exec = join(dir, 'exec.sh');
      writeFileSync(exec, '#!/bin/sh\nexec "$@"\n', { mode: 0o755 });
      const apps = services.map((s) => ({
        name: s.name,
        script: exec,
        args: s.argv,
        interpreter: 'none',
        autorestart: !noRestart,
        restart_delay: s.restartDelayMs,
        max_restarts: s.maxRestarts,
        min_uptime: s.minUptimeMs ?? 0,
        exp_backoff_restart_delay: 0,
      }));
      writeFileSync(join(dir, 'ecosystem.config.cjs'), `module.exports = ${JSON.stringify({ apps })};\n`);
      return [bin, ['start', 'ecosystem.config.cjs'], { cwd: dir, env }];
    },
    supervisorPid: () => Number(readFileSync(join(dir, 'home/pm2.pid'), 'utf8')),
    restartSupervisor: () => pm2('start', 'ecosystem.config.cjs'),
    state: (name) => JSON.parse(pm2('jlist').out.slice(pm2('jlist').out.indexOf('['))).find((p) => p.name === name)?.pm2_env?.status,
    statusCommand: () => [bin, ['jlist'], { cwd: dir, env }],
    stop: () => pm2('kill'),
  };
}

/** A supervisord.conf for a fleet in `dir`: its control socket (owner-only), logs and pid file there, then `programs`. */
export const supervisordConf = (dir, programs) => `[unix_http_server]
file=${join(dir, 'supervisor.sock')}
chmod=0700
[supervisord]
logfile=${join(dir, 'supervisord.log')}
pidfile=${join(dir, 'supervisord.pid')}
childlogdir=${dir}
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[supervisorctl]
serverurl=unix://${join(dir, 'supervisor.sock')}
${programs}`;

export function supervisordPeer() {
  const dir = tempDir('zmart-bench-supervisord-');
  const conf = join(dir, 'supervisord.conf');
  const ctl = (...args) => run('supervisorctl', ['-c', conf, ...args], { cwd: dir });
  return {
    name: 'supervisord',
    dir,
    available: () => (run('which', ['supervisord']).code === 0 ? null : 'no supervisord (apt-get install supervisor)'),
    rotation: true,
    logFiles: (name) => {
      const base = join(dir, `${name}.log`);
      const rotated = readdirSync(dir)
        .filter((f) => f.startsWith(`${name}.log.`))
        .sort((a, b) => Number(b.split('.').pop()) - Number(a.split('.').pop()))
        .map((f) => join(dir, f));
      return existsSync(base) ? [...rotated, base] : rotated;
    },
    start(services, options = {}) {
      const [cmd, args, runOptions] = this.startCommand(services, options);
      return run(cmd, args, runOptions);
    },
    startCommand(services, { rotateBytes = null, noRestart = false } = {}) {
      const programs = services.map(
        (s) => `[program:${s.name}]
command=${s.argv.map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(' ')}
autorestart=${noRestart ? 'false' : 'true'}
stdout_logfile_maxbytes=${rotateBytes ?? 0}
stdout_logfile_backups=${rotateBytes ? 10000 : 0}
startsecs=${Math.ceil((s.minUptimeMs ?? 0) / 1000)}
startretries=${s.maxRestarts}
stopasgroup=true
killasgroup=true
stdout_logfile=${join(dir, `${s.name}.log`)}
redirect_stderr=true
`,
      );
      writeFileSync(conf, supervisordConf(dir, programs.join('\n')));
      return ['supervisord', ['-c', conf], { cwd: dir }];
    },
    supervisorPid: () => Number(readFileSync(join(dir, 'supervisord.pid'), 'utf8')),
    async restartSupervisor() {
      const result = run('supervisord', ['-c', conf], { cwd: dir });
      await waitUntil(() => existsSync(join(dir, 'supervisord.pid')) && alive(Number(readFileSync(join(dir, 'supervisord.pid'), 'utf8'))), 10_000);
      return result;
    },
    state: (name) => (ctl('status', name).out.split(/\s+/)[1] ?? '').toLowerCase(),
    statusCommand: () => ['supervisorctl', ['-c', conf, 'status'], { cwd: dir }],
    // `stop all` first: `shutdown` alone stops one program per turn of supervisord's loop (a
    // turn waits up to 1 s for an event), and a harness that sweeps up after it kills leaders
    // whose children then outlive them
    stop: () => {
      ctl('stop', 'all');
      return ctl('shutdown');
    },
  };
}

/** Another build of zmart beside this one, when ZMART_BASELINE names its dist/bin/zmart.cjs. */
function zmartBaselinePeer() {
  return zmartPeer({ cli: process.env.ZMART_BASELINE, name: 'zmart-baseline' });
}

export const ALL_PEERS = [zmartPeer, ...(process.env.ZMART_BASELINE ? [zmartBaselinePeer] : []), pm2Peer, supervisordPeer];
