import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../core/status/types.js';
import { createProject, fixtureCommand, type Project } from '../helpers/daemon.js';
import { freePort, waitFor } from '../helpers/project.js';

let project: Project | undefined;
afterEach(async () => {
  await project?.cleanup();
  project = undefined;
});

const config = (port: number) => `{
  services: {
    api: { command: ${fixtureCommand('--port', port)}, port: ${port}, health: { path: '/health', interval: '100ms' },
           restart: { backoff: { initial: 50 } } },
    worker: { command: ${fixtureCommand()} },
  },
  plugins: [
    (await import('zmart/plugins/health-http')).default(),
    (await import('zmart/plugins/history')).default({ sample: '100ms' }),
  ],
}`;

async function report(p: Project, ...args: string[]) {
  const result = await p.zmart(['report', '--json', ...args]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as {
    services: Array<{
      name: string;
      uptimePercent: number;
      restarts: number;
      restartsByReason: Record<string, number>;
      p50Ms: number;
      p95Ms: number;
      rssPeakBytes: number;
      days: unknown[];
    }>;
  };
}

describe('history and zmart report with real processes', () => {
  it('records uptime, restarts by reason, probe times and memory, across a supervisor restart', async () => {
    const port = await freePort();
    project = createProject(config(port));
    expect((await project.zmart(['report'])).stderr).toMatch(/^zmart: no history for this fleet in .*history: add the history plugin/);
    expect((await project.zmart(['start'])).code).toBe(0);
    const pid = project.pid('api')!;
    await waitFor(async () => {
      const s = JSON.parse((await project!.zmart(['status', '--json'])).stdout) as StatusReport;
      return s.services.find((x) => x.name === 'api')!.health === 'healthy';
    }, 'api healthy');
    process.kill(pid, 'SIGKILL');
    await waitFor(() => project!.pid('api') !== pid && project!.pid('api'), 'api restarted');
    await new Promise((r) => setTimeout(r, 500)); // a few samples and probes after the restart
    expect((await project.zmart(['stop'])).code).toBe(0);

    const first = await report(project);
    const api = first.services.find((s) => s.name === 'api')!;
    expect(api.restartsByReason).toEqual({ exit: 1 });
    expect(api.uptimePercent).toBeGreaterThan(50);
    expect(api.uptimePercent).toBeLessThanOrEqual(100);
    expect(api.p50Ms).toBeGreaterThan(0);
    expect(api.p95Ms).toBeGreaterThanOrEqual(api.p50Ms);
    expect(api.rssPeakBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(api.days).toHaveLength(1);
    const worker = first.services.find((s) => s.name === 'worker')!;
    expect(worker).toMatchObject({ restarts: 0, p50Ms: null });

    // a second run adds to the same history
    expect((await project.zmart(['start'])).code).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect((await project.zmart(['stop'])).code).toBe(0);
    const second = await report(project, '--since', '1h');
    expect(second.services.find((s) => s.name === 'api')!.restartsByReason).toEqual({ exit: 1 });
    const files = readdirSync(join(project.dir, 'server_pids', 'history')).sort();
    expect(files).toEqual(['api.minutes.jsonl', 'worker.minutes.jsonl']);

    const text = await project.zmart(['report']);
    expect(text.stdout).toMatch(/^api: uptime \d+(\.\d)?%, 1 restart \(exit 1\), response p50 \d+ ms p95 \d+ ms, memory peak \d/m);
    const bad = await project.zmart(['report', '--since', 'forever']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe("zmart: --since: expected a duration like '30d', '12h' or '90m', got 'forever'");
  });
});
