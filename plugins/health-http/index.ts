import { definePlugin, formatDuration, type PluginContext, type Timer } from '../../core/index.js';
import {
  DEFAULTS,
  describeProbes,
  pluginOptionsSchema,
  probeSettings,
  serviceHealthSchema,
  type HealthPluginOptions,
  type ProbeSettings,
  type ServiceHealth,
  type ServiceHealthInput,
} from './options.js';
import { probeOnce } from './probe-once.js';
import { ProbeTracker, type ProbeOutcome } from './probe-tracker.js';
import { watchReadiness } from './readiness.js';
import { classify, percentile } from './response-time.js';

declare module '../../core/index.js' {
  interface ServiceOptionsRegistry {
    /** HTTP health probe (plugin health-http). */
    health: ServiceHealthInput;
  }
}

export type { ServiceHealthInput, HealthPluginInput } from './options.js';

/** Probes are quicker until the first good answer after a start, so readiness is seen soon. */
const FIRST_PROBE_MS = 100;
const STARTING_PROBE_MS = 250;
const HISTORY = 20;

interface Probe {
  settings: ProbeSettings;
  tracker: ProbeTracker;
  timer: Timer | null;
  seenHealthy: boolean;
  history: number[];
  stopped: boolean;
}

type Ctx = PluginContext<HealthPluginOptions, ServiceHealth>;

/**
 * health-http: probes `services.<name>.health` over HTTP. `failureThreshold` failures in a
 * row -> unhealthy and a restart request (reason `unhealthy`); `slow.count` answers over
 * `slow.threshold` in a row -> slow and a restart request (reason `slow`); nothing is
 * restarted during `startPeriod` after a start. Every response time is published with its
 * class (excellent < 100ms, good < 500ms, warning < 2s, critical) and p50/p95.
 */
export default definePlugin({
  name: 'health-http',
  defaults: DEFAULTS,
  options: pluginOptionsSchema,
  describeProbes,
  service: {
    key: 'health',
    schema: serviceHealthSchema,
    check: (health, service) =>
      (health.path !== undefined || health.tcp !== undefined) && service.port === null
        ? `a health ${health.tcp ? 'tcp probe' : 'path'} needs the service's port (set port${health.tcp ? '' : ', or give a url'})`
        : undefined,
  },
  reportsHealth: true,
  setup(ctx) {
    const probes = new Map<string, Probe>();

    const stop = (service: string) => {
      const probe = probes.get(service);
      if (!probe) return;
      probe.stopped = true;
      probe.timer?.cancel();
      probes.delete(service);
    };

    const start = (service: string) => {
      stop(service);
      const health = ctx.serviceOptions(service);
      const config = ctx.serviceConfig(service);
      if (!health || !config) return;
      const settings = probeSettings(config, health, ctx.options, ctx.monitor);
      const probe: Probe = {
        settings,
        tracker: new ProbeTracker(settings, ctx.clock.now()),
        timer: null,
        seenHealthy: false,
        history: [],
        stopped: false,
      };
      probes.set(service, probe);
      schedule(service, probe, Math.min(FIRST_PROBE_MS, settings.intervalMs));
    };

    const schedule = (service: string, probe: Probe, delayMs: number) => {
      probe.timer = ctx.scheduler.setTimeout(() => void run(service, probe), delayMs);
    };

    const run = async (service: string, probe: Probe) => {
      probe.timer = null;
      const outcome = await probeOnce(ctx, probe.settings);
      if (probe.stopped) return;
      const restarting = handle(ctx, service, probe, outcome);
      if (restarting) return stop(service); // probing resumes at the next service:started
      const starting = !probe.seenHealthy && ctx.clock.now() - (ctx.service(service)?.startedAt ?? 0) < probe.settings.startPeriodMs;
      schedule(service, probe, starting ? Math.min(STARTING_PROBE_MS, probe.settings.intervalMs) : probe.settings.intervalMs);
    };

    ctx.on('service:started', ({ service }) => start(service));
    ctx.on('service:stopping', ({ service }) => stop(service));
    ctx.on('service:exit', ({ service, handOver }) => void (handOver || stop(service)));
    const readiness = watchReadiness(ctx);
    // The values in force, once at setup: the seed's variables win over what a service says.
    const { forced } = ctx.monitor;
    for (const s of ctx.services()) {
      const health = ctx.serviceOptions(s.name);
      const config = ctx.serviceConfig(s.name);
      if (!health || !config) continue;
      const { url, intervalMs, timeoutMs, failureThreshold } = probeSettings(config, health, ctx.options, ctx.monitor);
      const from = [
        forced.intervalMs !== undefined && 'interval from MONITOR_INTERVAL',
        forced.timeoutMs !== undefined && 'timeout from HEALTH_CHECK_TIMEOUT',
      ].filter(Boolean);
      ctx.logger.info(
        `${s.name}: probing ${url} every ${formatDuration(intervalMs)}, timeout ${formatDuration(timeoutMs)}, unhealthy after ${failureThreshold} failures${from.length ? ` (${from.join(', ')})` : ''}`,
      );
    }
    // Set up again on reload: pick up services that already run.
    for (const s of ctx.services()) if (s.state === 'running') start(s.name);
    return () => {
      for (const service of [...probes.keys()]) stop(service);
      readiness.stop();
    };
  },
});

/** Records one probe: metrics, health, logs; returns true when it asked for a restart. */
function handle(ctx: Ctx, service: string, probe: Probe, outcome: ProbeOutcome): boolean {
  const [low, high] = probe.settings.expect;
  const passed = outcome.ok && (outcome.status === null || (outcome.status >= low && outcome.status <= high));
  if (outcome.ok) {
    probe.history = [...probe.history, outcome.durationMs].slice(-HISTORY);
    const responseClass = classify(outcome.durationMs);
    ctx.reportMetrics(service, {
      responseTimeMs: Math.round(outcome.durationMs * 10) / 10,
      responseTimeP50Ms: percentile(probe.history, 50),
      responseTimeP95Ms: percentile(probe.history, 95),
      responseClass,
      lastProbeStatus: outcome.status,
      lastProbeError: null,
    });
    ctx.logger.debug(`${service}: ${outcome.status ?? 'ok'} in ${Math.round(outcome.durationMs)}ms (${responseClass})`);
  } else {
    ctx.reportMetrics(service, { lastProbeError: outcome.error, lastProbeStatus: null });
  }
  const verdict = probe.tracker.record(outcome, ctx.clock.now());
  // failures in a row, shown before the threshold (`failing (2/3)`); at the threshold the count starts over
  const threshold = probe.settings.failureThreshold;
  const failures = verdict.health === 'unhealthy' ? threshold : probe.tracker.failureCount;
  ctx.reportProbe(service, { ok: passed, durationMs: outcome.durationMs ?? 0, failures, threshold });
  if (verdict.health === null) {
    const why = outcome.ok ? `status ${outcome.status}` : outcome.error;
    const count = probe.tracker.failureCount;
    if (count === 0) ctx.logger.debug(`${service}: probe failed during its start period: ${why}`);
    else ctx.logger.warn(`${service}: probe failed (${count}/${probe.settings.failureThreshold}): ${why}`);
    return false;
  }
  if (verdict.health === 'healthy') {
    probe.seenHealthy = true;
    ctx.reportHealth(service, 'healthy');
    return false;
  }
  ctx.reportHealth(service, verdict.health, verdict.detail);
  if (!verdict.restart) return false;
  ctx.restart(service, { kind: verdict.health === 'slow' ? 'slow' : 'unhealthy', detail: verdict.detail });
  return true;
}
