import { createRequire } from 'node:module';
import type * as Prom from 'prom-client';

/**
 * The one place the metrics plugin reaches past prom-client's public entry, and why: its index
 * loads the process CPU metric, which loads @opentelemetry/api for exemplars (~6.5 MB resident
 * in the supervisor; the supervisor's CPU is counted from process.cpuUsage() instead). These
 * are the modules the index exports (the same classes), and of its default metrics the
 * resident memory and start time, which the public API offers only all together
 * (`collectDefaultMetrics`). The test beside it (test/unit/plugins/prom-client-lean.test.ts)
 * fails when any of them moves or changes what it registers.
 */
export function loadPromClientLean() {
  const require = createRequire(import.meta.url);
  return {
    Registry: require('prom-client/lib/registry') as typeof Prom.Registry,
    Gauge: require('prom-client/lib/gauge') as typeof Prom.Gauge,
    Counter: require('prom-client/lib/counter') as typeof Prom.Counter,
    Histogram: require('prom-client/lib/histogram') as typeof Prom.Histogram,
    osMemoryHeap: require('prom-client/lib/metrics/osMemoryHeap') as (r: Prom.Registry, c: object) => void,
    processStartTime: require('prom-client/lib/metrics/processStartTime') as (r: Prom.Registry, c: object) => void,
  };
}
