import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { loadPromClientLean } from '../../../plugins/metrics/prom-client-lean.js';

/** Fails when a prom-client upgrade moves the modules plugins/metrics/prom-client-lean.ts loads past its index. */
describe("prom-client's classes and two default metrics, loaded without its index", () => {
  const prom = createRequire(import.meta.url)('prom-client') as typeof import('prom-client');

  it('are the classes its index exports', () => {
    const lean = loadPromClientLean();
    expect([lean.Registry, lean.Gauge, lean.Counter, lean.Histogram]).toEqual([prom.Registry, prom.Gauge, prom.Counter, prom.Histogram]);
  });

  it('register the memory and start-time metrics that collectDefaultMetrics registers', async () => {
    const lean = loadPromClientLean();
    const ours = new lean.Registry();
    lean.osMemoryHeap(ours, { prefix: 'x_' });
    lean.processStartTime(ours, { prefix: 'x_' });
    const all = new prom.Registry();
    prom.collectDefaultMetrics({ register: all, prefix: 'x_' });
    const names = (r: import('prom-client').Registry) => r.getMetricsAsArray().map((m) => m.name);
    expect(names(ours).length).toBeGreaterThanOrEqual(2);
    expect(names(all)).toEqual(expect.arrayContaining(names(ours)));
    expect(await ours.metrics()).toMatch(/x_process_start_time_seconds \d+/);
  });
});
