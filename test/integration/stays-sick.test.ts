import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../core/status/types.js';
import { createProject, fixtureCommand, type Project } from '../helpers/daemon.js';
import { freePort, readText, waitFor } from '../helpers/project.js';

let project: Project | undefined;
afterEach(async () => {
  await project?.cleanup();
  project = undefined;
});

/** A Python API whose /health always answers 500: the seed's service on its worst day. */
const SICK_API = `
import http.server, os
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(500 if self.path == '/health' else 200)
        self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(('127.0.0.1', int(os.environ['PORT'])), H).serve_forever()
`;

async function status(p: Project): Promise<StatusReport> {
  const { stdout } = await p.zmart(['status', '--json']);
  return JSON.parse(stdout) as StatusReport;
}

describe('a service that stays sick', () => {
  it('ends failed within its budget with the service-failed alert, and zmart restart brings it back at once', async () => {
    const port = await freePort();
    project = createProject(`{
      services: { api: { command: ['python3', 'api.py'], port: ${port},
        health: { path: '/health', interval: '100ms', timeout: '500ms', failureThreshold: 2, startPeriod: '200ms' },
        restart: { maxRestarts: 2, backoff: { initial: '100ms', max: '200ms' } } } },
    }`);
    writeFileSync(join(project.dir, 'api.py'), SICK_API);
    const p = project;
    const start = await p.zmart(['start', '--wait', '10s']);
    expect(start.code).toBe(1);
    expect(start.stdout).toMatch(/api\s+failed/i);
    const report = await waitFor(async () => ((await status(p)).services[0]?.state === 'failed' ? status(p) : null), 'api to be failed');
    expect(report.services[0]).toMatchObject({ state: 'failed', restarts: 2, pid: null, lastRestart: { kind: 'unhealthy', by: 'health-http' } });
    const monitor = readText(join(p.logDir, 'server_monitor.log'));
    expect(monitor).toMatch(/ALERT service-failed api: api failed: 2 restarts within 10m 0s, last: 2 failed probes/);
    expect(monitor).not.toMatch(/cannot move|restart failed/);

    // The operator's restart returns (here: once the budget is spent again), with a new process every time.
    const t0 = Date.now();
    const restart = await p.zmart(['restart', 'api']);
    expect(restart.code).toBe(1);
    expect(Date.now() - t0).toBeLessThan(15_000);
    const after = await status(p);
    expect(after.services[0]).toMatchObject({ state: 'failed', restarts: 5 }); // 2, the operator's, 2 more
    expect(readText(join(p.logDir, 'server_monitor.log')).match(/ALERT service-failed api/g)).toHaveLength(2);
    const stop = await p.zmart(['stop', 'api']);
    expect(stop.code).toBe(0);
    expect((await status(p)).services[0].state).toBe('stopped');
  });

  it('ends failed when a plugin keeps asking for restarts, and start brings it back', async () => {
    project = createProject('{ services: {} }');
    const p = project;
    // A custom plugin, written as a user would: while nag.on exists it asks for a restart every 150 ms.
    writeFileSync(
      join(p.dir, 'zmart.config.ts'),
      `import { existsSync } from 'node:fs';
      import { defineConfig, definePlugin } from 'zmart';
      const nag = definePlugin({ name: 'nag', defaults: {}, setup(ctx) {
        const t = ctx.scheduler.setInterval(() => existsSync('${join(p.dir, 'nag.on')}') && ctx.restart('api', { kind: 'memory', detail: 'the nag asked' }), 150);
        return () => t.cancel();
      } });
      export default defineConfig({
        services: { api: { command: ${fixtureCommand()}, readyAfter: '100ms', restart: { maxRestarts: 2, backoff: { initial: '50ms', max: '100ms' } } } },
        plugins: [nag()],
      });`,
    );
    writeFileSync(join(p.dir, 'nag.on'), '');
    await p.zmart(['start', '--wait', '5s']);
    const report = await waitFor(async () => ((await status(p)).services[0]?.state === 'failed' ? status(p) : null), 'api to be failed');
    expect(report.services[0]).toMatchObject({ state: 'failed', restarts: 2, pid: null, lastRestart: { kind: 'memory', by: 'nag' } });
    expect(readText(join(p.logDir, 'server_monitor.log'))).toMatch(/ALERT service-failed api: api failed: 2 restarts within 10m 0s, last: the nag asked/);

    rmSync(join(p.dir, 'nag.on'));
    const start = await p.zmart(['start', 'api', '--wait', '5s']);
    expect(start.stdout).toMatch(/api\s+running/i);
    expect(start.code).toBe(0);
    expect((await status(p)).services[0]).toMatchObject({ state: 'running', restarts: 2 });
  });
});
