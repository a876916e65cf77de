import { duration, integer, interval, type MonitorDefaults, type ProbeDescription, type ResolvedService, type ServiceProbes, z } from '../../core/index.js';

/** An expected status: one code (200) or a range ('200-399'). */
const expect = z.union([integer(100, 599), z.string().check(z.regex(/^\d{3}(-\d{3})?$/, "expected a status code like 200 or a range like '200-399'"))]);

const slow = z.union([z.literal(false), z.strictObject({ threshold: z.optional(duration()), count: z.optional(integer(1)) })]);

/** Per service: `services.<name>.health`. */
export const serviceHealthSchema = z
  .strictObject({
    /** Path on 127.0.0.1:<port> ('/health'); or a whole `url`. */
    path: z.optional(z.string().check(z.startsWith('/'))),
    url: z.optional(z.url({ protocol: /^https?$/ })),
    /** A TCP connect to 127.0.0.1:<port> succeeds. */
    tcp: z.optional(z.literal(true)),
    /** A command (argv, or a string for /bin/sh) that exits 0; run in its own group, killed at the timeout. */
    exec: z.optional(z.union([z.string().check(z.minLength(1)), z.array(z.string()).check(z.minLength(1))])),
    interval: z.optional(interval()),
    timeout: z.optional(duration()),
    failureThreshold: z.optional(integer(1)),
    startPeriod: z.optional(duration()),
    expect: z.optional(expect),
    slow: z.optional(slow),
  })
  .check(z.refine((h) => [h.path, h.url, h.tcp, h.exec].filter((v) => v !== undefined).length === 1, 'set exactly one of path, url, tcp or exec'));

export type ServiceHealth = z.output<typeof serviceHealthSchema>;

/** What a config says per service (durations as written). */
export type ServiceHealthInput = z.input<typeof serviceHealthSchema>;

/** The plugin's own options: defaults for every probed service. */
export const pluginOptionsSchema = z.strictObject({
  /** Default: MONITOR_INTERVAL / config `monitor.interval` (30s). */
  interval: z.optional(interval()),
  /** Default: HEALTH_CHECK_TIMEOUT / config `monitor.timeout` (10s). */
  timeout: z.optional(duration()),
  failureThreshold: integer(1),
  startPeriod: duration(),
  expect,
  slow: z.union([z.literal(false), z.strictObject({ threshold: duration(), count: integer(1) })]),
});

export type HealthPluginOptions = z.output<typeof pluginOptionsSchema>;

export type HealthPluginInput = z.input<typeof pluginOptionsSchema>;

export const DEFAULTS: HealthPluginInput = {
  failureThreshold: 3,
  startPeriod: '30s',
  expect: '200-399',
  slow: { threshold: '2s', count: 3 },
};

/** Everything one service's probe needs, with the plugin's defaults filled in: core's probe description. */
export type ProbeSettings = ProbeDescription;

export function probeSettings(service: { port: number | null }, health: ServiceHealth, plugin: HealthPluginOptions, monitor: MonitorDefaults): ProbeSettings {
  const slowOption = health.slow === undefined ? plugin.slow : health.slow;
  const pluginSlow = plugin.slow === false ? { threshold: 2000, count: 3 } : plugin.slow;
  const probe: ProbeSettings['probe'] =
    health.tcp !== undefined
      ? { kind: 'tcp', port: service.port ?? 0 }
      : health.exec !== undefined
        ? { kind: 'exec', command: health.exec }
        : { kind: 'http', url: health.url ?? `http://127.0.0.1:${service.port}${health.path}` };
  return {
    probe,
    url: probe.kind === 'http' ? probe.url : probe.kind === 'tcp' ? `tcp 127.0.0.1:${probe.port}` : `exec ${[probe.command].flat().join(' ')}`,
    intervalMs: monitor.forced.intervalMs ?? health.interval ?? plugin.interval ?? monitor.intervalMs,
    timeoutMs: monitor.forced.timeoutMs ?? health.timeout ?? plugin.timeout ?? monitor.timeoutMs,
    failureThreshold: health.failureThreshold ?? plugin.failureThreshold,
    startPeriodMs: health.startPeriod ?? plugin.startPeriod,
    expect: expectRange(health.expect ?? plugin.expect),
    slow: slowOption === false ? null : { thresholdMs: slowOption.threshold ?? pluginSlow.threshold, count: slowOption.count ?? pluginSlow.count },
  };
}

function expectRange(value: number | string): [number, number] {
  if (typeof value === 'number') return [value, value];
  const [low, high = low] = value.split('-').map(Number);
  return [low, high];
}

/**
 * What health-http probes for a service (`describeProbes`, how exports carry it): its health
 * probe, and its readiness probe (`ready: { path | tcp | exec }`; a logLine has none).
 */
export function describeProbes(service: ResolvedService, plugin: HealthPluginOptions, monitor: MonitorDefaults): ServiceProbes {
  const health = service.options.health as ServiceHealth | undefined;
  const ready = service.ready;
  let readyProbe: ProbeSettings | null = null;
  if (ready && !('logLine' in ready)) {
    const base = probeSettings(service, { ...ready, expect: undefined, slow: false }, plugin, { ...monitor, forced: {} });
    readyProbe = { ...base, intervalMs: ready.interval ?? base.intervalMs, timeoutMs: ready.timeout ?? base.timeoutMs };
  }
  return { health: health ? probeSettings(service, health, plugin, monitor) : null, ready: readyProbe };
}
