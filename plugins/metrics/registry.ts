import type * as Prom from 'prom-client';
import { type PluginContext, RESTART_KINDS } from '../../core/index.js';
import { Exposition } from './exposition.js';
import { loadPromClientLean } from './prom-client-lean.js';
import { Series } from './series.js';

const STATES = ['stopped', 'starting', 'running', 'stopping', 'backoff', 'exited', 'failed'] as const;

/** The fleet's metrics and how to write them: `scrape()` refreshes the values, then the text. */
export interface FleetRegistry {
  register: Prom.Registry;
  scrape(): Promise<string>;
}

/**
 * The fleet's numbers in a Prometheus registry: per service (label `service`) whether it is
 * up, its state, health and readiness, restarts by reason, probe durations, the resident
 * memory and CPU of its whole tree, its uptime; the supervisor's own memory, CPU, event-loop
 * lag, and the bytes its logs took and the lines they dropped. Per-service values are read
 * when a scrape begins; a family whose values did not change since the last scrape is not
 * written again (see Exposition).
 */
export function fleetRegistry(ctx: PluginContext<unknown, unknown>, options: { probeBuckets: number[] }): FleetRegistry {
  const prom = loadPromClientLean();
  const register = new prom.Registry();
  const registers = [register];
  const service = ['service'];
  const gauge = (name: string, help: string, labelNames = service) => new prom.Gauge({ name, help, labelNames, registers });

  const up = new Series(gauge('zmart_service_up', 'Whether the service has a running process (1) or not (0).'));
  const state = new Series(
    gauge('zmart_service_state', 'The lifecycle state of the service: 1 for the state it is in, 0 for the others.', ['service', 'state']),
  );
  const healthy = new Series(
    gauge('zmart_service_healthy', 'The last health a probe reported: 1 healthy (or slow), 0 unhealthy; absent while unknown or unprobed.'),
  );
  const ready = new Series(gauge('zmart_service_ready', 'Whether the service is ready for its dependants (1) or not (0).'));
  const failing = new Series(
    gauge('zmart_service_probe_consecutive_failures', 'Health probes failed in a row, before the threshold restarts the service (0 once one passes).'),
  );
  const uptime = new Series(gauge('zmart_service_uptime_seconds', 'Seconds since the running process started (0 when none runs).'));
  const memory = new Series(gauge('zmart_service_resident_memory_bytes', "Resident memory of the service's whole process tree."));
  const cpu = new Series(gauge('zmart_service_cpu_usage_ratio', "CPU of the service's whole process tree since its previous sample, as a share of one core."));
  const restarts = new prom.Counter({
    name: 'zmart_service_restarts_total',
    help: 'Restarts, by reason (exit, unhealthy, slow, memory, port, manual, schedule, watch, plugin); every reason of every service from 0.',
    labelNames: ['service', 'reason'],
    registers,
  });
  const probes = new prom.Histogram({
    name: 'zmart_service_probe_duration_seconds',
    help: 'How long each passed health probe took.',
    labelNames: service,
    buckets: options.probeBuckets,
    registers,
  });
  const failedProbes = new prom.Counter({
    name: 'zmart_service_probe_failures_total',
    help: 'Health probes that failed (no answer in time, a refused connection, a bad status or exit code).',
    labelNames: service,
    registers,
  });
  const kept = new Map<string, Series | null>([
    ['zmart_service_up', up],
    ['zmart_service_state', state],
    ['zmart_service_healthy', healthy],
    ['zmart_service_ready', ready],
    ['zmart_service_probe_consecutive_failures', failing],
    ['zmart_service_restarts_total', null],
    ['zmart_service_probe_duration_seconds', null],
    ['zmart_service_probe_failures_total', null],
  ]);
  const exposition = new Exposition(register, new Set(kept.keys()));
  // Services whose counters exist: a service a reload removed takes its counters and histogram
  // with it (one added again later starts from zero, which Prometheus reads as a counter reset).
  const counted = new Set<string>();
  const forget = (name: string) => {
    for (const reason of RESTART_KINDS) restarts.remove({ service: name, reason });
    probes.remove({ service: name });
    failedProbes.remove({ service: name });
    counted.delete(name);
    for (const family of ['zmart_service_restarts_total', 'zmart_service_probe_duration_seconds', 'zmart_service_probe_failures_total']) {
      exposition.changed(family);
    }
  };
  /** Every counter of a service exists from 0 from the moment it is known: `increase()` then sees its first event. */
  const known = (name: string) => {
    if (counted.has(name)) return;
    counted.add(name);
    for (const reason of RESTART_KINDS) restarts.inc({ service: name, reason }, 0);
    failedProbes.inc({ service: name }, 0);
    exposition.changed('zmart_service_restarts_total');
    exposition.changed('zmart_service_probe_failures_total');
  };
  const restarted = (name: string, reason: string) => {
    known(name);
    restarts.inc({ service: name, reason });
    exposition.changed('zmart_service_restarts_total');
  };
  ctx.on('service:restart', ({ service: name, reason }) => restarted(name, reason.kind));
  ctx.on('service:operator', ({ service: name, action }) => {
    if (action === 'restart') restarted(name, 'manual');
  });
  ctx.on('service:probe', ({ service: name, ok, durationMs }) => {
    known(name);
    if (ok) probes.observe({ service: name }, durationMs / 1000);
    else failedProbes.inc({ service: name });
    exposition.changed(ok ? 'zmart_service_probe_duration_seconds' : 'zmart_service_probe_failures_total');
  });
  supervisorMetrics(ctx, prom, register);

  const refresh = async () => {
    const now = ctx.clock.now();
    const services = ctx.services();
    for (const s of services) {
      known(s.name);
      const labels = () => ({ service: s.name });
      up.put(s.name, labels, s.state === 'running' ? 1 : 0);
      for (const one of STATES) state.put(`${s.name}\0${one}`, () => ({ service: s.name, state: one }), s.state === one ? 1 : 0);
      if (s.health !== null && s.health !== 'unknown') healthy.put(s.name, labels, s.health === 'unhealthy' ? 0 : 1);
      ready.put(s.name, labels, s.ready ? 1 : 0);
      failing.put(s.name, labels, s.probeFailures);
      uptime.put(s.name, labels, s.startedAt === null ? 0 : Math.max(0, (now - s.startedAt) / 1000));
      // one sampling round per scrape, of the running services only
      const usage = s.state === 'running' ? await ctx.processes.usage(s.name) : null;
      if (usage) {
        memory.put(s.name, labels, usage.rssBytes);
        cpu.put(s.name, labels, usage.cpuPercent / 100);
      }
    }
    for (const series of [uptime, memory, cpu]) series.end();
    if (counted.size > 0) {
      const present = new Set(services.map((s) => s.name));
      for (const name of [...counted]) if (!present.has(name)) forget(name);
    }
    for (const [name, series] of kept) if (series?.end()) exposition.changed(name);
  };
  // One scrape at a time: a second that comes while one is under way gets its text.
  let underWay: Promise<string> | null = null;
  const scrape = () => {
    underWay ??= (async () => {
      try {
        await refresh();
        return await exposition.text();
      } finally {
        underWay = null;
      }
    })();
    return underWay;
  };
  return { register, scrape };
}

function supervisorMetrics(ctx: PluginContext<unknown, unknown>, prom: ReturnType<typeof loadPromClientLean>, register: Prom.Registry): void {
  const registers = [register];
  const config = { prefix: 'zmart_supervisor_' };
  prom.osMemoryHeap(register, config);
  prom.processStartTime(register, config);
  // The event loop, read without waking it. prom-client's lag collector keeps a perf_hooks
  // monitor that wakes the loop every 10-20 ms for good (~135 ms of CPU per 30 s on the test
  // VM, three times an idle fleet's whole cost; and a reload added one more each time). Here:
  // how long a callback queued by the scrape waits for its turn, and the time the loop spent
  // busy (libuv's idle-time counter; rate() of it is the loop's utilization).
  new prom.Gauge({
    name: 'zmart_supervisor_nodejs_eventloop_lag_seconds',
    help: "How long a callback queued when the scrape began waited for the supervisor's event loop.",
    registers,
    async collect() {
      const queued = performance.now();
      await new Promise((resolve) => setImmediate(resolve));
      this.set((performance.now() - queued) / 1000);
    },
  });
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
  follow(
    'zmart_supervisor_eventloop_busy_seconds_total',
    "Time the supervisor's event loop spent running callbacks rather than waiting for events (rate() gives its utilization).",
    () => performance.eventLoopUtilization().active / 1000,
  );
  follow('zmart_log_written_bytes_total', 'Bytes written to the log files of the supervisor and services.', () => ctx.logFiles.counters().bytesWritten);
  follow('zmart_log_dropped_lines_total', 'Lines the logs could not write and dropped (a full disk), counted.', () => ctx.logFiles.counters().linesDropped);
}
