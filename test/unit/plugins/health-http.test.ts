import { describe, expect, it } from 'vitest';
import healthHttp from '../../../plugins/health-http/index.js';
import { classify, percentile } from '../../../plugins/health-http/response-time.js';
import { createPluginHarness } from '../../../core/testing/index.js';

const api = (health: object, extra: object = {}) => ({ api: { command: 'x', port: 8000, health, ...extra } });

describe('health-http through core/testing', () => {
  it('asks for a restart after failureThreshold failures in a row, and a good answer resets the streak', async () => {
    const h = await createPluginHarness(healthHttp(), { services: api({ path: '/health', interval: '1s', failureThreshold: 3, startPeriod: 0 }) });
    const answers = [200, 500, 500, 200, 500, 500, 500];
    h.http.answer = () => ({ status: answers.shift() ?? 200, durationMs: 5 });
    await h.advance(100); // first probe soon after start
    expect(h.service('api').health).toBe('healthy');
    await h.advance(6000); // six more probes, a second apart
    expect(h.http.calls.map((c) => c.url)).toContain('http://127.0.0.1:8000/health');
    expect(h.restarts).toEqual([
      {
        service: 'api',
        reason: { kind: 'unhealthy', by: 'health-http', detail: '3 failed probes of http://127.0.0.1:8000/health: status 500 (expected 200-399)' },
      },
    ]);
    expect(h.service('api').health).toBe('unhealthy');
    expect(h.logs.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      'api: probe failed (1/3): status 500',
      'api: probe failed (2/3): status 500',
      'api: probe failed (1/3): status 500',
      'api: probe failed (2/3): status 500',
    ]);
    // it stops probing until the service is started again
    const calls = h.http.calls.length;
    await h.advance(10_000);
    expect(h.http.calls.length).toBe(calls);
    await h.emit('service:started', { service: 'api', pid: 2002 });
    await h.advance(200);
    expect(h.http.calls.length).toBe(calls + 1);
  });

  it('shows failures before the threshold (probeFailures, e.g. 2 of 3) until a probe passes', async () => {
    const h = await createPluginHarness(healthHttp(), { services: api({ path: '/health', interval: '1s', failureThreshold: 3, startPeriod: 0 }) });
    const answers = [200, 500, 500, 200];
    h.http.answer = () => ({ status: answers.shift() ?? 200, durationMs: 5 });
    const seen: Array<[number, number | null]> = [];
    const look = () => seen.push([h.service('api').probeFailures, h.service('api').probeFailureThreshold]);
    await h.advance(100);
    look();
    for (let i = 0; i < 3; i += 1) {
      await h.advance(1000);
      look();
    }
    // healthy all along (the threshold was never reached), yet the two failures showed
    expect(seen).toEqual([
      [0, 3],
      [1, 3],
      [2, 3],
      [0, 3],
    ]);
    expect(h.service('api').health).toBe('healthy');
  });

  it('counts no failure during startPeriod, and probes faster until the first good answer', async () => {
    const h = await createPluginHarness(healthHttp(), { services: api({ path: '/h', interval: '10s', startPeriod: '3s', failureThreshold: 1 }) });
    h.http.answer = () => ({ error: 'connection refused' });
    await h.advance(2900);
    expect(h.restarts).toEqual([]);
    expect(h.http.calls.length).toBeGreaterThanOrEqual(10); // every 250ms while starting
    await h.advance(12_000);
    expect(h.restarts).toHaveLength(1);
    expect(h.restarts[0].reason.detail).toMatch(/1 failed probes of http:\/\/127\.0\.0\.1:8000\/h: connection refused/);
    expect(h.metrics('api')).toMatchObject({ lastProbeError: 'connection refused' });
    h.http.answer = () => ({ status: 200, durationMs: 3 });
    await h.emit('service:started', { service: 'api', pid: 2002 }); // the restart core made
    await h.advance(10_000);
    expect(h.metrics('api')).toMatchObject({ lastProbeError: null, lastProbeStatus: 200 }); // healthy again: no stale error
  });

  it('ends startPeriod at the first good answer: failures after it count at once', async () => {
    const h = await createPluginHarness(healthHttp(), { services: api({ path: '/h', interval: '1s', startPeriod: '30s', failureThreshold: 2 }) });
    let up = true;
    h.http.answer = () => (up ? { status: 200, durationMs: 2 } : { error: 'no answer within 1000ms' });
    await h.advance(1000);
    expect(h.service('api').health).toBe('healthy');
    up = false; // stops answering 1 s after the restart, well inside the 30 s start period
    await h.advance(2500);
    expect(h.restarts).toHaveLength(1);
    expect(h.restarts[0].reason.detail).toMatch(/^2 failed probes of .*: no answer within 1000ms/);
  });

  it('probes a TCP port or a command the same way, restarting with reason unhealthy', async () => {
    const tcp = await createPluginHarness(healthHttp(), { services: api({ tcp: true, interval: '1s', startPeriod: 0, failureThreshold: 2 }) });
    tcp.http.answer = (url) => (url === 'tcp://127.0.0.1:8000' ? { error: 'connection refused' } : { status: 200, durationMs: 1 });
    await tcp.advance(2500);
    expect(tcp.restarts[0].reason).toMatchObject({ kind: 'unhealthy', detail: '2 failed probes of tcp 127.0.0.1:8000: connection refused' });

    const exec = await createPluginHarness(healthHttp(), {
      services: api({ exec: ['pg_isready', '-q'], timeout: '5s', interval: '1s', startPeriod: 0, failureThreshold: 2 }),
    });
    await exec.advance(1000);
    expect(exec.service('api').health).toBe('healthy');
    expect(exec.processes.runs[0].command).toEqual(['pg_isready', '-q']);
    exec.processes.runResult = { code: 2, stdout: '', stderr: 'no response\n', timedOut: false };
    await exec.advance(2000);
    expect(exec.restarts[0].reason).toMatchObject({ kind: 'unhealthy', detail: '2 failed probes of exec pg_isready -q: exited with code 2: no response' });
    await expect(createPluginHarness(healthHttp(), { services: { api: { command: 'x', health: { tcp: true } } } })).rejects.toThrow(
      /services\.api\.health: a health tcp probe needs the service's port/,
    );
  });

  it('probes readiness (ready.path) after a start until it first passes, reports it, and never restarts', async () => {
    const h = await createPluginHarness(healthHttp(), { services: { api: { command: 'x', port: 8000, ready: { path: '/ready' } } } });
    let passing = false;
    h.http.answer = (url) => (url.endsWith('/ready') && passing ? { status: 200, durationMs: 1 } : { error: 'connection refused' });
    await h.emit('service:started', { service: 'api', pid: 1001 });
    await h.advance(2000);
    expect(h.readyReports).toEqual([]);
    expect(h.restarts).toEqual([]);
    passing = true;
    await h.advance(250);
    expect(h.readyReports).toEqual(['api']);
    const calls = h.http.calls.length;
    await h.advance(5000);
    expect(h.http.calls.length).toBe(calls); // done until the next start
  });

  it('treats a probe that does not answer within timeout as a failure', async () => {
    const h = await createPluginHarness(healthHttp(), { services: api({ path: '/h', interval: '1s', timeout: '300ms', startPeriod: 0, failureThreshold: 2 }) });
    h.http.answer = () => 'hang';
    await h.advance(3000);
    expect(h.restarts[0]?.reason).toMatchObject({ kind: 'unhealthy', detail: expect.stringContaining('no answer within 300ms') });
  });

  it('asks for a restart after slow.count slow answers, and a quick one resets the count', async () => {
    const h = await createPluginHarness(healthHttp(), {
      services: api({ path: '/h', interval: '1s', startPeriod: 0, slow: { threshold: '500ms', count: 3 } }),
    });
    const times = [900, 900, 50, 900, 900, 900];
    h.http.answer = () => ({ status: 200, durationMs: times.shift() ?? 10 });
    await h.advance(2200);
    expect(h.restarts).toEqual([]);
    await h.advance(4000);
    expect(h.restarts).toEqual([{ service: 'api', reason: { kind: 'slow', by: 'health-http', detail: '3 answers over 500ms (last 900ms)' } }]);
    expect(h.healthReports.at(-1)).toMatchObject({ health: 'slow' });
  });

  it('publishes each response time with its class and p50/p95', async () => {
    const h = await createPluginHarness(healthHttp(), { services: api({ path: '/h', interval: '1s', startPeriod: 0, slow: false }) });
    const times = [40, 120, 700, 2500];
    h.http.answer = () => ({ status: 204, durationMs: times.shift() ?? 40 });
    await h.advance(100);
    expect(h.metrics('api')).toMatchObject({ responseTimeMs: 40, responseClass: 'excellent' });
    await h.advance(3000);
    expect(h.metrics('api')).toMatchObject({ responseTimeMs: 2500, responseClass: 'critical', responseTimeP50Ms: 120, responseTimeP95Ms: 2500 });
    expect(h.restarts).toEqual([]);
  });

  it('takes its defaults from the seed variables (monitor interval and timeout), and probes only services with health', async () => {
    const h = await createPluginHarness(healthHttp(), {
      services: { ...api({ url: 'http://127.0.0.1:9999/ready' }), worker: { command: 'y' } },
      monitor: { interval: '7s', timeout: '2s' },
    });
    h.http.answer = () => ({ status: 200, durationMs: 1 });
    await h.advance(100 + 7000 * 3);
    expect(h.http.calls.map((c) => c.at - h.http.calls[0].at)).toEqual([0, 7000, 14000, 21000]);
    expect(h.http.calls.every((c) => c.url === 'http://127.0.0.1:9999/ready' && c.timeoutMs === 2000)).toBe(true);
    expect(h.service('worker').health).toBeNull();
  });

  it('lets MONITOR_INTERVAL and HEALTH_CHECK_TIMEOUT win over a service that sets its own, and says so at setup', async () => {
    const { resolveConfig } = await import('../../../core/config/resolve.js');
    const forced = resolveConfig({ services: { api: { command: 'x' } } }, { file: null, env: { MONITOR_INTERVAL: '1', HEALTH_CHECK_TIMEOUT: '2' } }).monitor;
    expect(forced).toMatchObject({ intervalMs: 1000, timeoutMs: 2000, forced: { intervalMs: 1000, timeoutMs: 2000 } });
    const { probeSettings } = await import('../../../plugins/health-http/options.js');
    const settings = probeSettings(
      { port: 8000 },
      { path: '/h', interval: 6000, timeout: 5000 },
      { failureThreshold: 3, startPeriod: 0, expect: 200, slow: false },
      forced,
    );
    expect(settings).toMatchObject({ intervalMs: 1000, timeoutMs: 2000 });
    const unforced = { ...forced, forced: {} };
    expect(
      probeSettings({ port: 8000 }, { path: '/h', interval: 6000 }, { failureThreshold: 3, startPeriod: 0, expect: 200, slow: false }, unforced),
    ).toMatchObject({
      intervalMs: 6000,
    });
    const h = await createPluginHarness(healthHttp(), { services: api({ path: '/h', interval: '6s' }) });
    expect(h.logs.map((l) => l.message)).toContain('api: probing http://127.0.0.1:8000/h every 6s, timeout 10s, unhealthy after 3 failures');
  });

  it('refuses bad per-service options at config time', async () => {
    await expect(createPluginHarness(healthHttp(), { services: { api: { command: 'x', health: { path: '/h' } } } })).rejects.toThrow(
      /services\.api\.health: a health path needs the service's port/,
    );
    await expect(createPluginHarness(healthHttp(), { services: api({ path: '/h', url: 'http://x/' }) })).rejects.toThrow(
      /services\.api\.health: set exactly one of path, url, tcp or exec/,
    );
    await expect(createPluginHarness(healthHttp(), { services: api({ path: '/h', expect: 'ok' }) })).rejects.toThrow(/services\.api\.health\.expect/);
    await expect(createPluginHarness(healthHttp({ failureThreshold: 0 }), { services: api({ path: '/h' }) })).rejects.toThrow(
      /plugins\[0\] \(health-http\)\.failureThreshold/,
    );
  });
});

describe('response time classes', () => {
  it.each([
    [99, 'excellent'],
    [100, 'good'],
    [500, 'good'],
    [501, 'warning'],
    [2000, 'warning'],
    [2001, 'critical'],
  ] as const)('%i ms is %s', (ms, expected) => expect(classify(ms)).toBe(expected));

  it('computes nearest-rank percentiles', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
  });
});
