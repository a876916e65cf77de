import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import healthHttp from '../../plugins/health-http/index.js';
import metrics from '../../plugins/metrics/index.js';
import { createFleet, type Fleet, fixture, freePort, readText, waitFor } from '../helpers/project.js';
import { needs } from '../helpers/tools.js';

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

/** One sample's value from an exposition, or null when the series is absent. */
function sample(text: string, series: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : null;
}

async function scrape(url: string): Promise<string> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

describe('the metrics plugin with real processes', () => {
  needs('promtool')('serves metrics promtool accepts, and the restart counter moves after a kill -9', async () => {
    const [apiPort, metricsPort] = [await freePort(), await freePort()];
    fleet = createFleet({
      services: {
        api: { command: fixture('--port', apiPort), port: apiPort, health: { path: '/health', interval: 100 }, restart: { backoff: { initial: 50 } } },
        worker: { command: fixture() },
      },
      plugins: [healthHttp(), metrics({ listen: `127.0.0.1:${metricsPort}`, allowedHosts: ['Prometheus.internal'] })],
    });
    await fleet.supervisor.start();
    const url = `http://127.0.0.1:${metricsPort}/metrics`;
    const first = await waitFor(async () => {
      const text = await scrape(url);
      return (sample(text, 'zmart_service_probe_duration_seconds_count{service="api"}') ?? 0) >= 2 ? text : null;
    }, 'two probes counted');

    const lint = spawnSync('promtool', ['check', 'metrics'], { input: first, encoding: 'utf8' });
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);
    expect(sample(first, 'zmart_service_up{service="api"}')).toBe(1);
    expect(sample(first, 'zmart_service_state{service="worker",state="running"}')).toBe(1);
    expect(sample(first, 'zmart_service_state{service="worker",state="failed"}')).toBe(0);
    expect(sample(first, 'zmart_service_healthy{service="api"}')).toBe(1);
    expect(sample(first, 'zmart_service_healthy{service="worker"}')).toBeNull(); // not probed
    expect(sample(first, 'zmart_service_resident_memory_bytes{service="api"}')).toBeGreaterThan(10 * 1024 * 1024);
    expect(sample(first, 'zmart_service_cpu_usage_ratio{service="api"}')).toBeGreaterThanOrEqual(0);
    expect(sample(first, 'zmart_supervisor_process_resident_memory_bytes')).toBeGreaterThan(10 * 1024 * 1024);
    expect(sample(first, 'zmart_log_written_bytes_total')).toBeGreaterThan(0);
    expect(sample(first, 'zmart_log_dropped_lines_total')).toBe(0);
    expect(sample(first, 'zmart_supervisor_nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(first, 'zmart_supervisor_eventloop_busy_seconds_total')).toBeGreaterThan(0);
    expect(sample(first, 'zmart_service_restarts_total{service="api",reason="exit"}')).toBe(0); // from 0 before the first crash: increase() sees the first one

    const pid = fleet.supervisor.snapshots().find((s) => s.name === 'api')!.pid!;
    process.kill(pid, 'SIGKILL');
    const after = await waitFor(async () => {
      const text = await scrape(url);
      return sample(text, 'zmart_service_restarts_total{service="api",reason="exit"}') === 1 && sample(text, 'zmart_service_up{service="api"}') === 1
        ? text
        : null;
    }, 'the restart counted and the api up again');
    expect(sample(after, 'zmart_service_uptime_seconds{service="api"}')).toBeLessThan(sample(after, 'zmart_service_uptime_seconds{service="worker"}')!);

    expect((await fetch(`http://127.0.0.1:${metricsPort}/`)).status).toBe(404);
    expect((await fetch(url, { method: 'POST' })).status).toBe(405);
    // DNS rebinding: a page on another name reaching this address is refused; IPs and localhost pass
    const withHost = (host: string) =>
      new Promise<number>((done, fail) =>
        request({ host: '127.0.0.1', port: metricsPort, path: '/metrics', headers: { host } }, (res) => {
          res.resume();
          done(res.statusCode!);
        })
          .on('error', fail)
          .end(),
      );
    expect(await withHost(`evil.example:${metricsPort}`)).toBe(403);
    expect(await withHost(`localhost:${metricsPort}`)).toBe(200);
    expect(await withHost(`[::1]:${metricsPort}`)).toBe(200);
    expect(await withHost('10.0.0.5')).toBe(200);
    expect(await withHost(`prometheus.internal:${metricsPort}`)).toBe(200); // listed in allowedHosts
  });

  it('leaves the fleet running, with one clear line, when its address is taken', async () => {
    const taken = createServer();
    const port = await new Promise<number>((resolve) => taken.listen(0, '127.0.0.1', () => resolve((taken.address() as { port: number }).port)));
    try {
      fleet = createFleet({ services: { worker: { command: fixture() } }, plugins: [metrics({ listen: `127.0.0.1:${port}` })] });
      await fleet.supervisor.start();
      expect(fleet.supervisor.snapshots()[0].state).toBe('running');
      const log = await waitFor(() => readText(join(fleet!.dir, 'logs', 'zmart.log')).match(/.*plugin metrics.*/)?.[0], 'the line about it');
      expect(log).toMatch(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the address is in use \\(EADDRINUSE\\)`));
      expect(readFileSync(join(fleet.dir, 'logs', 'zmart.log'), 'utf8')).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      taken.close();
    }
  });
});
