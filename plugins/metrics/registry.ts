import { createRequire } from 'node:module';
import type * as Prom from 'prom-client';
import type { PluginContext } from '../../core/index.js';

/**
 * prom-client, loaded lean: its registry and metric types, and of its default metrics the
 * resident memory, start time and event-loop lag; not its index, whose process CPU metric
 * loads @opentelemetry/api for exemplars (~6.5 MB resident: the supervisor's CPU is counted
 * here instead, from process.cpuUsage()).
 */
function loadPromClient() {
  const require = createRequire(import.meta.url);
  return {
    Registry: require('prom-client/lib/registry') as typeof Prom.Registry,
    Gauge: require('prom-client/lib/gauge') as typeof Prom.Gauge,
    Counter: require('prom-client/lib/counter') as typeof Prom.Counter,
    Histogram: require('prom-client/lib/histogram') as typeof Prom.Histogram,
    osMemoryHeap: require('prom-client/lib/metrics/osMemoryHeap') as (r: Prom.Registry, c: object) => void,
    processStartTime: require('prom-client/lib/metrics/processStartTime') as (r: Prom.Registry, c: object) => void,
    eventLoopLag: require('prom-client/lib/metrics/eventLoopLag') as (r: Prom.Registry, c: object) => void,
  };
}

const STATES = ['stopped', 'starting', 'running', 'stopping', 'backoff', 'failed'] as const;
/** Probe durations: from a fast local answer to a timeout. */
const PROBE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * A gauge's series as last set: a scrape sets only those whose value changed and removes those
 * no longer there. At 100 services the up, state, health and readiness gauges hold 900 series
 * that rarely change, and each set costs prom-client a hash of the labels and objects (and
 * the daemon, with its 1 MB young generation, the garbage).
 */
class Series {
  private readonly last = new Map<string, { labels: Prom.LabelValues<string>; value: number; round: number }>();
  private round = 0;

  constructor(private readonly gauge: Prom.Gauge) {}

  put(key: string, labels: () => Prom.LabelValues<string>, value: number): void {
    const known = this.last.get(key);
    if (known?.value === value) {
      known.round = this.round + 1;
      return;
    }
    const set = known?.labels ?? labels();
    this.gauge.set(set, value);
    this.last.set(key, { labels: set, value, round: this.round + 1 });
  }

  /** Removes the series this scrape did not put (a service gone, a health no longer known). */
  end(): void {
    this.round += 1;
    for (const [key, series] of this.last) {
      if (series.round === this.round) continue;
      this.gauge.remove(series.labels);
      this.last.delete(key);
    }
  }
}

const seriesByGauge = new WeakMap<Prom.Gauge, Series>();
const seriesOf = (gauge: Prom.Gauge): Series => {
  let series = seriesByGauge.get(gauge);
  if (!series) {
    series = new Series(gauge);
    seriesByGauge.set(gauge, series);
  }
  return series;
};

/**
 * The fleet's numbers in a Prometheus registry: per service (label `service`) whether it is
 * up, its state, health and readiness, restarts by reason, probe durations, the resident
 * memory and CPU of its whole tree, its uptime; the supervisor's own memory, CPU, event-loop
 * lag, and the bytes its logs took and the lines they dropped. Gauges are read at scrape time.
 */
export function fleetRegistry(ctx: PluginContext<unknown, unknown>): Prom.Registry {
  const prom = loadPromClient();
  const register = new prom.Registry();
  // One look at the services per scrape, shared by every gauge (forgotten once it is written).
  let seen: ReturnType<typeof ctx.services> | null = null;
  const services = () => {
    if (!seen) {
      seen = ctx.services();
      setImmediate(() => {
        seen = null;
      });
    }
    return seen;
  };
  const registers = [register];
  const service = ['service'];

  new prom.Gauge({
    name: 'zmart_service_up',
    help: 'Whether the service has a running process (1) or not (0).',
    labelNames: service,
    registers,
    collect() {
      const series = seriesOf(this);
      for (const s of services()) series.put(s.name, () => ({ service: s.name }), s.state === 'running' ? 1 : 0);
      series.end();
    },
  });
  new prom.Gauge({
    name: 'zmart_service_state',
    help: 'The lifecycle state of the service: 1 for the state it is in, 0 for the others.',
    labelNames: ['service', 'state'],
    registers,
    collect() {
      const series = seriesOf(this);
      for (const s of services()) for (const state of STATES) series.put(`${s.name}\0${state}`, () => ({ service: s.name, state }), s.state === state ? 1 : 0);
      series.end();
    },
  });
  new prom.Gauge({
    name: 'zmart_service_healthy',
    help: 'The last health a probe reported: 1 healthy (or slow), 0 unhealthy; absent while unknown or unprobed.',
    labelNames: service,
    registers,
    collect() {
      const series = seriesOf(this);
      for (const s of services())
        if (s.health !== null && s.health !== 'unknown') series.put(s.name, () => ({ service: s.name }), s.health === 'unhealthy' ? 0 : 1);
      series.end();
    },
  });
  new prom.Gauge({
    name: 'zmart_service_ready',
    help: 'Whether the service is ready for its dependants (1) or not (0).',
    labelNames: service,
    registers,
    collect() {
      const series = seriesOf(this);
      for (const s of services()) series.put(s.name, () => ({ service: s.name }), s.ready ? 1 : 0);
      series.end();
    },
  });
  new prom.Gauge({
    name: 'zmart_service_uptime_seconds',
    help: 'Seconds since the running process started (0 when none runs).',
    labelNames: service,
    registers,
    collect() {
      this.reset();
      const now = ctx.clock.now();
      for (const s of services()) this.set({ service: s.name }, s.startedAt === null ? 0 : Math.max(0, (now - s.startedAt) / 1000));
    },
  });
  // One sampling round per scrape, shared by the memory and CPU gauges (prom-client collects
  // the metrics of a scrape concurrently): the round is forgotten once the scrape is written.
  let round: Promise<Map<string, { rssBytes: number; cpuPercent: number }>> | null = null;
  const usages = () => {
    round ??= (async () => {
      const found = new Map<string, { rssBytes: number; cpuPercent: number }>();
      for (const s of services()) {
        const usage = s.state === 'running' ? await ctx.processes.usage(s.name) : null;
        if (usage) found.set(s.name, usage);
      }
      setImmediate(() => {
        round = null;
      });
      return found;
    })();
    return round;
  };
  new prom.Gauge({
    name: 'zmart_service_resident_memory_bytes',
    help: "Resident memory of the service's whole process tree.",
    labelNames: service,
    registers,
    async collect() {
      this.reset();
      for (const [name, usage] of await usages()) this.set({ service: name }, usage.rssBytes);
    },
  });
  new prom.Gauge({
    name: 'zmart_service_cpu_usage_ratio',
    help: "CPU of the service's whole process tree since its previous sample, as a share of one core.",
    labelNames: service,
    registers,
    async collect() {
      this.reset();
      for (const [name, usage] of await usages()) this.set({ service: name }, usage.cpuPercent / 100);
    },
  });
  const restarts = new prom.Counter({
    name: 'zmart_service_restarts_total',
    help: 'Restarts zmart decided, by reason (exit, unhealthy, slow, memory, port, manual, schedule, watch).',
    labelNames: ['service', 'reason'],
    registers,
  });
  const probes = new prom.Histogram({
    name: 'zmart_service_probe_duration_seconds',
    help: 'How long each passed health probe took.',
    labelNames: service,
    buckets: PROBE_BUCKETS,
    registers,
  });
  const failedProbes = new prom.Counter({
    name: 'zmart_service_probe_failures_total',
    help: 'Health probes that failed (no answer in time, a refused connection, a bad status or exit code).',
    labelNames: service,
    registers,
  });
  ctx.on('service:restart', ({ service: name, reason }) => restarts.inc({ service: name, reason: reason.kind }));
  ctx.on('service:probe', ({ service: name, ok, durationMs }) => {
    if (ok) probes.observe({ service: name }, durationMs / 1000);
    else failedProbes.inc({ service: name });
  });

  supervisorMetrics(ctx, prom, register);
  return register;
}

function supervisorMetrics(ctx: PluginContext<unknown, unknown>, prom: ReturnType<typeof loadPromClient>, register: Prom.Registry): void {
  const registers = [register];
  const config = { prefix: 'zmart_supervisor_', eventLoopMonitoringPrecision: 20 };
  prom.osMemoryHeap(register, config);
  prom.processStartTime(register, config);
  prom.eventLoopLag(register, config);
  // Totals kept elsewhere (the process's CPU, the log counters), followed by counters that
  // add what grew since the last scrape.
  const follow = (name: string, help: string, read: () => number) => {
    let last = 0;
    new prom.Counter({
      name,
      help,
      registers,
      collect() {
        const now = read();
        this.inc(Math.max(0, now - last));
        last = now;
      },
    });
  };
  follow('zmart_supervisor_cpu_seconds_total', 'CPU time the supervisor used, user and system.', () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  });
  follow('zmart_log_written_bytes_total', 'Bytes written to the log files of the supervisor and services.', () => ctx.logFiles.counters().bytesWritten);
  follow('zmart_log_dropped_lines_total', 'Lines the logs could not write and dropped (a full disk), counted.', () => ctx.logFiles.counters().linesDropped);
}
