import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_NAMES } from '../../core/config/locate.js';
import type { Output } from '../output.js';

const TEMPLATE = `// zmart.config.ts: the fleet zmart supervises. 'zmart start' runs it in the background,
// 'zmart status' shows it, 'zmart stop' stops it. Relative paths are relative to this file.
import { defineConfig } from 'zmart';

export default defineConfig({
  // pidDir: 'server_pids',   // <service>.pid and monitor.pid (the pid alone), plus proof of identity
  // logDir: 'logs',          // <service>.log, server_startup.log, server_shutdown.log, server_monitor.log
  services: {
    api: {
      title: 'API Server',
      // A string runs through /bin/sh; an array runs without a shell.
      command: 'python -m uvicorn src.main:app --host 127.0.0.1 --port 8000',
      // cwd: 'backend/zmart-api',
      // venv: 'venv',        // a Python virtualenv, relative to cwd: no 'source activate' needed
      port: 8000,             // also given to the service as $PORT
      env: { LOG_LEVEL: 'info' },
      // envFile: '.env',     // or a list, relative to cwd; \${VAR} and \${VAR:-default} expanded; env wins
      // liveness: failures restart it (reason 'unhealthy'); or { tcp: true }, or { exec: ['pg_isready', '-q'] }
      health: { path: '/health', interval: '30s', timeout: '10s', failureThreshold: 3, startPeriod: '30s' },
      // readiness only, never restarts: what dependsOn 'healthy' and 'zmart start' wait for; or { path } / { tcp } / { exec }
      // ready: { logLine: 'Application startup complete' },
      // watch: ['src'],       // restart on a change (reason 'watch')
      restart: {
        policy: 'always',     // always | on-failure | never
        maxRestarts: 3,       // within 'window'; then the service is marked failed and alerted
        window: '10m',
        backoff: { initial: '1s', factor: 2, max: '60s' },
        minUptime: '30s',     // a run this long earns the restart budget back
        // cron: '0 4 * * *', // a scheduled restart (reason 'schedule'; no budget spent)
      },
      stop: { signal: 'SIGTERM', timeout: '10s' },  // then SIGKILL to the whole process group
      // logs: { timestamps: false },  // its output as written, for a service that stamps its own lines
    },
    dashboard: {
      title: 'Dashboard Server',
      command: 'python professional_dashboard_server.py',
      port: 3400,
      dependsOn: { api: 'healthy' },  // or 'started'
    },
  },
});
`;

/** `zmart init`: writes a commented zmart.config.ts here; never overwrites a config. */
export function init(out: Output, cwd = process.cwd()): number {
  const existing = CONFIG_NAMES.map((name) => join(cwd, name)).find((file) => existsSync(file));
  if (existing) {
    out.error(`${existing} already exists; not overwritten`);
    return 1;
  }
  const file = join(cwd, 'zmart.config.ts');
  writeFileSync(file, TEMPLATE, { flag: 'wx' });
  out.line(`wrote ${file}: edit the services, then run 'zmart start'`);
  return 0;
}
