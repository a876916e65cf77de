import type { PluginContext, Timer } from '../../core/index.js';
import { probeSettings, type ProbeSettings } from './options.js';
import { probeOnce } from './probe-once.js';

/** Until a first pass, readiness is looked at this often (or at `ready.interval`). */
const READY_PROBE_MS = 250;

/**
 * Readiness apart from liveness: for a service with `ready: { path | tcp | exec }`, probes after
 * each start until the first pass, then reports it ready (`ctx.reportReady`) and stops. It never
 * asks for a restart. (`ready: { logLine }` is core's: it reads the output as it is written.)
 */
export function watchReadiness(ctx: PluginContext<any, any>): { stop(): void } {
  const timers = new Map<string, Timer>();
  const stop = (service: string) => {
    timers.get(service)?.cancel();
    timers.delete(service);
  };
  const start = (service: string) => {
    stop(service);
    const config = ctx.serviceConfig(service);
    const ready = config?.ready;
    if (!config || !ready || 'logLine' in ready) return;
    const base = probeSettings(config, { ...ready, expect: undefined, slow: false }, ctx.options, { ...ctx.monitor, forced: {} });
    const settings: ProbeSettings = { ...base, timeoutMs: ready.timeout ?? base.timeoutMs };
    const every = ready.interval ?? READY_PROBE_MS;
    const look = () => {
      timers.set(
        service,
        ctx.scheduler.setTimeout(async () => {
          const outcome = await probeOnce(ctx, settings);
          if (!timers.has(service)) return; // stopped meanwhile
          const [low, high] = settings.expect;
          if (outcome.ok && (outcome.status === null || (outcome.status >= low && outcome.status <= high))) {
            timers.delete(service);
            ctx.logger.info(`${service}: ready (${settings.url})`);
            ctx.reportReady(service);
          } else look();
        }, every),
      );
    };
    look();
  };
  const offs = [
    ctx.on('service:started', ({ service }) => start(service)),
    ctx.on('service:stopping', ({ service }) => stop(service)),
    ctx.on('service:exit', ({ service, handOver }) => void (handOver || stop(service))),
  ];
  for (const s of ctx.services()) if (s.state === 'running' && !s.ready) start(s.name);
  return {
    stop: () => {
      for (const off of offs) off();
      for (const service of [...timers.keys()]) stop(service);
    },
  };
}
