import { describe, expect, it } from 'vitest';
import type { PluginContext, ServiceSnapshot } from '../../../core/index.js';
import { fleetRegistry } from '../../../plugins/metrics/registry.js';

/** The registry over a fleet the test changes between scrapes. */
function fleet(initial: Array<Partial<ServiceSnapshot> & { name: string }>) {
  const hooks = new Map<string, (payload: Record<string, unknown>) => void>();
  let services = initial.map((s) => ({ state: 'running', health: 'healthy', ready: true, startedAt: Date.now(), probeFailures: 0, ...s }));
  const ctx = {
    services: () => services,
    processes: { usage: async () => ({ rssBytes: 1, cpuPercent: 0, processes: [] }) },
    on: (hook: string, handler: (payload: Record<string, unknown>) => void) => {
      hooks.set(hook, handler);
      return () => {};
    },
    clock: { now: () => Date.now() },
    logFiles: { counters: () => ({ bytesWritten: 0, linesDropped: 0 }) },
  } as unknown as PluginContext<unknown, unknown>;
  const fleetMetrics = fleetRegistry(ctx, { probeBuckets: [0.005, 0.1, 2] });
  const line = async (prefix: string) => {
    const text = await fleetMetrics.scrape();
    return text
      .split('\n')
      .filter((l) => l.startsWith(prefix))
      .sort();
  };
  return {
    line,
    emit: (hook: string, payload: Record<string, unknown>) => hooks.get(hook)!(payload),
    set: (next: typeof initial) =>
      void (services = next.map((s) => ({ state: 'running', health: 'healthy', ready: true, startedAt: Date.now(), probeFailures: 0, ...s }))),
  };
}

describe('the metrics registry between scrapes', () => {
  it('follows changes of state, health and readiness, and drops the series of what is gone', async () => {
    const f = fleet([{ name: 'api' }, { name: 'web' }]);
    expect(await f.line('zmart_service_state{service="api"')).toContain('zmart_service_state{service="api",state="running"} 1');
    expect(await f.line('zmart_service_healthy{')).toEqual(['zmart_service_healthy{service="api"} 1', 'zmart_service_healthy{service="web"} 1']);

    f.set([
      { name: 'api', state: 'backoff', health: 'unknown', ready: false },
      { name: 'web', health: 'unhealthy', probeFailures: 2 },
    ]);
    const api = await f.line('zmart_service_state{service="api"');
    expect(api).toContain('zmart_service_state{service="api",state="backoff"} 1');
    expect(api).toContain('zmart_service_state{service="api",state="running"} 0');
    expect(api).toContain('zmart_service_state{service="api",state="exited"} 0'); // every state has its series
    expect(await f.line('zmart_service_up{')).toEqual(['zmart_service_up{service="api"} 0', 'zmart_service_up{service="web"} 1']);
    // health unknown: no series, as before the first probe
    expect(await f.line('zmart_service_healthy{')).toEqual(['zmart_service_healthy{service="web"} 0']);
    expect(await f.line('zmart_service_ready{')).toEqual(['zmart_service_ready{service="api"} 0', 'zmart_service_ready{service="web"} 1']);
    // failures in a row, visible before the threshold
    expect(await f.line('zmart_service_probe_consecutive_failures{service="web"')).toEqual(['zmart_service_probe_consecutive_failures{service="web"} 2']);

    f.emit('service:restart', { service: 'api', reason: { kind: 'exit', by: 'core', detail: '' } });
    f.emit('service:probe', { service: 'api', ok: true, durationMs: 3 });
    f.emit('service:probe', { service: 'api', ok: false, durationMs: 3 });
    // every reason from 0 (an alert on increase() sees the first restart), the one that happened at 1
    const reasons = await f.line('zmart_service_restarts_total{service="api"');
    expect(reasons).toHaveLength(9);
    expect(reasons).toContain('zmart_service_restarts_total{service="api",reason="exit"} 1');
    expect(reasons.filter((l) => l.endsWith(' 0'))).toHaveLength(8);
    f.emit('service:operator', { service: 'api', action: 'restart', by: 'operator' });
    expect(await f.line('zmart_service_restarts_total{service="api",reason="manual"')).toEqual([
      'zmart_service_restarts_total{service="api",reason="manual"} 1',
    ]);
    expect(await f.line('zmart_service_restarts_total{service="web",reason="exit"')).toEqual(['zmart_service_restarts_total{service="web",reason="exit"} 0']);
    expect(await f.line('zmart_service_probe_failures_total{service="web"')).toEqual(['zmart_service_probe_failures_total{service="web"} 0']);
    f.set([{ name: 'web' }]); // api removed by a reload: every series of it goes, counters too
    expect((await f.line('zmart_service_')).filter((l) => l.includes('service="api"'))).toEqual([]);
    expect(await f.line('zmart_service_healthy{')).toEqual(['zmart_service_healthy{service="web"} 1']);
  });
});
