import { describe, expect, it, vi } from 'vitest';
import { createPluginHarness } from '../../../core/testing/index.js';
import type { PluginContext } from '../../../core/index.js';
import metrics from '../../../plugins/metrics/index.js';
import { fleetRegistry } from '../../../plugins/metrics/registry.js';

type Service = { name: string; state: string; health: string | null; ready: boolean; startedAt: number | null; probeFailures: number };
type Hook = (payload: Record<string, unknown>) => void;

/** The registry over a fleet the test changes, with the hooks it listens to. */
function fleet(names: string[]) {
  let services: Service[] = names.map((name) => ({ name, state: 'running', health: 'healthy', ready: true, startedAt: 1_000, probeFailures: 0 }));
  const hooks = new Map<string, Hook>();
  let failUsage = false;
  const ctx = {
    services: () => services,
    processes: {
      usage: async (name: string) => {
        if (failUsage) throw new Error(`cannot read ${name}`);
        return { rssBytes: 1024 * name.length, cpuPercent: 5, processes: [] };
      },
    },
    on: (hook: string, handler: Hook) => {
      hooks.set(hook, handler);
      return () => {};
    },
    clock: { now: () => 61_000 },
    logFiles: { counters: () => ({ bytesWritten: 0, linesDropped: 0 }) },
  } as unknown as PluginContext<unknown, unknown>;
  const registry = fleetRegistry(ctx, { probeBuckets: [0.01, 0.1, 1] });
  const emit = (hook: string, payload: Record<string, unknown>) => hooks.get(hook)!(payload);
  return {
    registry,
    emit,
    update: (change: (all: Service[]) => Service[]) => void (services = change(services)),
    failUsage: (fail: boolean) => void (failUsage = fail),
  };
}

/** The per-service lines of an exposition (the supervisor's own change on their own). */
const serviceLines = (text: string) => text.split('\n').filter((l) => l.includes('zmart_service_'));

describe('the metrics exposition between scrapes', () => {
  it('always says what prom-client would write from the same values, whatever changed in between', async () => {
    const f = fleet(['api', 'web', 'worker']);
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const states = ['running', 'backoff', 'stopped', 'failed'];
    const healths = ['healthy', 'unhealthy', 'unknown', null];
    for (let step = 0; step < 60; step += 1) {
      const name = ['api', 'web', 'worker', 'extra'][random(4)]!;
      switch (random(5)) {
        case 0:
          f.emit('service:probe', { service: name, ok: random(3) > 0, durationMs: random(2000) });
          break;
        case 1:
          f.emit('service:restart', { service: name, reason: { kind: ['exit', 'unhealthy', 'manual'][random(3)], by: 'core', detail: '' } });
          break;
        case 2:
          f.update((all) =>
            all.map((s) =>
              s.name === name ? { ...s, state: states[random(4)]!, health: healths[random(4)]!, ready: random(2) === 0, probeFailures: random(3) } : s,
            ),
          );
          break;
        case 3: // a reload removes a service or adds one
          f.update((all) =>
            all.some((s) => s.name === name)
              ? all.filter((s) => s.name !== name)
              : [...all, { name, state: 'starting', health: 'unknown', ready: false, startedAt: null, probeFailures: 0 }],
          );
          break;
        default: // nothing changed
      }
      const scraped = await f.registry.scrape();
      expect(serviceLines(scraped), `step ${step}`).toEqual(serviceLines(await f.registry.register.metrics()));
    }
  });

  it('writes a family again only when one of its values changed', async () => {
    const f = fleet(['api', 'web']);
    await f.registry.scrape();
    const written = vi.spyOn(f.registry.register, 'getSingleMetricAsString');
    const families = () => new Set(written.mock.calls.map(([name]) => name).filter((name) => name.startsWith('zmart_service_')));

    await f.registry.scrape();
    // memory, CPU and uptime are read afresh on every scrape; nothing else changed
    expect(families()).toEqual(new Set(['zmart_service_uptime_seconds', 'zmart_service_resident_memory_bytes', 'zmart_service_cpu_usage_ratio']));

    written.mockClear();
    f.emit('service:probe', { service: 'api', ok: true, durationMs: 12 });
    f.update((all) => all.map((s) => (s.name === 'web' ? { ...s, health: 'unhealthy' } : s)));
    await f.registry.scrape();
    expect(families()).toContain('zmart_service_probe_duration_seconds');
    expect(families()).toContain('zmart_service_healthy');
    expect(families()).not.toContain('zmart_service_state');
    expect(families()).not.toContain('zmart_service_probe_failures_total');
  });

  it('gives scrapes that come together one text, and recovers from a scrape that failed', async () => {
    const f = fleet(['api']);
    const [a, b] = await Promise.all([f.registry.scrape(), f.registry.scrape()]);
    expect(a).toBe(b);

    f.failUsage(true);
    await expect(f.registry.scrape()).rejects.toThrow(/cannot read api/);
    f.failUsage(false);
    f.update((all) => all.map((s) => ({ ...s, state: 'backoff' })));
    const text = await f.registry.scrape();
    expect(text).toContain('zmart_service_state{service="api",state="backoff"} 1');
    expect(text).toContain('zmart_service_up{service="api"} 0');
  });

  it("reads the supervisor's event loop at the scrape: a callback's wait, and the time it was busy", async () => {
    const f = fleet(['api']);
    const value = (text: string, name: string) =>
      Number(
        text
          .split('\n')
          .find((l) => l.startsWith(`${name} `))!
          .split(' ')[1],
      );
    const spin = (ms: number) => {
      const end = performance.now() + ms;
      while (performance.now() < end);
    };
    const busyBefore = value(await f.registry.scrape(), 'zmart_supervisor_eventloop_busy_seconds_total');
    spin(60); // busy between two scrapes
    setImmediate(() => spin(40)); // and when the next begins: its callback waits behind this one
    const text = await f.registry.scrape();
    expect(value(text, 'zmart_supervisor_nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0.04);
    expect(value(text, 'zmart_supervisor_eventloop_busy_seconds_total') - busyBefore).toBeGreaterThanOrEqual(0.1);
  });

  it('refuses probe buckets that are empty, not increasing, zero or too many', async () => {
    const services = { api: { command: 'true' } };
    const refused = /plugins\[0\] \(metrics\)\.probeBuckets.*expected durations above 0, each larger than the one before/;
    await expect(createPluginHarness(metrics({ probeBuckets: ['1s', '500ms'] }), { services })).rejects.toThrow(refused);
    await expect(createPluginHarness(metrics({ probeBuckets: [0, 10] }), { services })).rejects.toThrow(refused);
    await expect(createPluginHarness(metrics({ probeBuckets: [] }), { services })).rejects.toThrow(/probeBuckets/);
    await expect(createPluginHarness(metrics({ probeBuckets: Array.from({ length: 21 }, (_, i) => i + 1) }), { services })).rejects.toThrow(/probeBuckets/);
    await expect(createPluginHarness(metrics({ probeBuckets: ['soon'] }), { services })).rejects.toThrow(/probeBuckets\[0\]: expected a duration/);
  });
});
