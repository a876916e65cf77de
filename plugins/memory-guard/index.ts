import { definePlugin, type PluginContext, type Timer, type TreeUsage } from '../../core/index.js';
import { DEFAULTS, pluginOptionsSchema, serviceSchema, type MemoryGuardOptions, type ServiceMemory, type ServiceMemoryInput } from './options.js';

declare module '../../core/index.js' {
  interface ServiceOptionsRegistry {
    /** Memory and CPU limits of the whole process tree (plugin memory-guard). */
    memory: ServiceMemoryInput;
  }
}

type Ctx = PluginContext<MemoryGuardOptions, ServiceMemory>;

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

/**
 * memory-guard: samples the RSS and CPU of the whole process tree (children included) of
 * each service with a `memory` limit every `interval` (while one runs). `for` samples in a row over `maxRss` -> a restart with reason
 * `memory`, naming the processes; over `maxCpu` -> an alert (and one when it is back under).
 * Also alerts when the machine's available memory or the free disk of the log and pid folders
 * falls under a floor, and once when it recovers.
 */
export default definePlugin({
  name: 'memory-guard',
  defaults: DEFAULTS,
  options: pluginOptionsSchema,
  service: { key: 'memory', schema: serviceSchema },
  setup(ctx) {
    const rssStreak = new Map<string, number>();
    const cpuStreak = new Map<string, number>();
    const cpuAlerted = new Set<string>();
    const low = new Set<string>();
    let busy = false;
    // The services' round runs while a service with a limit runs: a fleet without limits
    // never wakes for it. The machine's floors have their own, slower round.
    let timer: Timer | null = null;

    const tick = async () => {
      if (busy) return; // a slow sample never piles up
      busy = true;
      let watched = 0;
      try {
        for (const name of limited) {
          // only services with a limit are sampled: status reads its own numbers when asked
          const limits = ctx.serviceOptions(name);
          if (!limits || ctx.service(name)?.state !== 'running') continue;
          watched += 1;
          const usage = await ctx.processes.usage(name);
          if (!usage) continue;
          ctx.reportMetrics(name, { rssBytes: usage.rssBytes, cpuPercent: usage.cpuPercent });
          check(ctx, name, usage, limits, { rssStreak, cpuStreak, cpuAlerted });
        }
      } finally {
        busy = false;
      }
      if (watched === 0) {
        timer?.cancel();
        timer = null;
      }
    };
    const watch = () => {
      timer ??= ctx.scheduler.setInterval(() => void tick(), ctx.options.interval);
    };
    // The services with a limit, kept as they start (a reload that sets one restarts the service).
    const limited = new Set(ctx.serviceNames().filter((name) => ctx.serviceOptions(name)));
    ctx.on('service:started', ({ service }) => {
      rssStreak.delete(service);
      cpuStreak.delete(service);
      if (ctx.serviceOptions(service)) {
        limited.add(service);
        watch();
      } else limited.delete(service);
    });
    if ([...limited].some((name) => ctx.service(name)?.state === 'running')) watch();
    const { minFreeMemory, minFreeDisk, systemInterval } = ctx.options;
    const system = minFreeMemory !== null || minFreeDisk !== null ? ctx.scheduler.setInterval(() => checkSystem(ctx, low), systemInterval) : null;
    return () => {
      timer?.cancel();
      system?.cancel();
    };
  },
});

function check(
  ctx: Ctx,
  service: string,
  usage: TreeUsage,
  limits: ServiceMemory,
  state: { rssStreak: Map<string, number>; cpuStreak: Map<string, number>; cpuAlerted: Set<string> },
): void {
  const needed = limits.for ?? ctx.options.for;
  if (limits.maxRss !== undefined) {
    const streak = usage.rssBytes > limits.maxRss ? (state.rssStreak.get(service) ?? 0) + 1 : 0;
    state.rssStreak.set(service, streak);
    if (streak > 0) ctx.logger.warn(`${service}: RSS ${mb(usage.rssBytes)} over ${mb(limits.maxRss)} (${streak}/${needed})`);
    if (streak >= needed) {
      state.rssStreak.set(service, 0);
      const who = byCommand(usage.processes);
      ctx.restart(service, { kind: 'memory', detail: `RSS ${mb(usage.rssBytes)} over ${mb(limits.maxRss)} for ${streak} samples: ${who}` });
    }
  }
  if (limits.maxCpu !== undefined) {
    const over = usage.cpuPercent > limits.maxCpu;
    const streak = over ? (state.cpuStreak.get(service) ?? 0) + 1 : 0;
    state.cpuStreak.set(service, streak);
    if (streak >= needed && !state.cpuAlerted.has(service)) {
      state.cpuAlerted.add(service);
      ctx.alert({
        level: 'warning',
        kind: 'cpu-high',
        service,
        message: `${service} uses ${usage.cpuPercent}% CPU, over ${limits.maxCpu}% for ${streak} samples`,
      });
    } else if (!over && state.cpuAlerted.delete(service)) {
      ctx.alert({ level: 'info', kind: 'cpu-normal', service, message: `${service} CPU back to ${usage.cpuPercent}%` });
    }
  }
}

/** Alerts once when a floor is crossed, and once when it is back above. */
function checkSystem(ctx: Ctx, low: Set<string>): void {
  const { minFreeMemory, minFreeDisk } = ctx.options;
  const readings: Array<{ key: string; what: string; free: number; floor: number | null }> = [];
  const memory = ctx.system.memory();
  readings.push({ key: 'memory', what: 'available memory', free: memory.availableBytes, floor: minFreeMemory });
  const seenDisks = new Set<string>();
  for (const [label, dir] of Object.entries(ctx.system.folders)) {
    const disk = ctx.system.disk(dir);
    if (!disk) continue;
    if (seenDisks.has(disk.device)) continue;
    seenDisks.add(disk.device);
    readings.push({ key: `disk:${label}`, what: `free disk for ${dir}`, free: disk.freeBytes, floor: minFreeDisk });
  }
  for (const { key, what, free, floor } of readings) {
    if (floor === null) continue;
    if (free < floor && !low.has(key)) {
      low.add(key);
      ctx.alert({ level: 'critical', kind: 'resource-low', message: `${what} is ${mb(free)}, under ${mb(floor)}` });
    } else if (free >= floor && low.delete(key)) {
      ctx.alert({ level: 'info', kind: 'resource-ok', message: `${what} is back to ${mb(free)}` });
    }
  }
}

/** Longer commands are cut to this many characters: a line in a log, not a page. */
const COMMAND_CHARS = 60;

/**
 * The tree's processes by command, biggest first: each command once (gunicorn's master and
 * its workers share one long command line), without the program's folder, cut to
 * COMMAND_CHARS, with how many run it, their pids and their memory together:
 * `gunicorn: worker [app] ×3 (pids 12, 13, 14) 300 MB, gunicorn: master [app] (pid 11) 40 MB`.
 */
export function byCommand(processes: TreeUsage['processes']): string {
  const groups = new Map<string, { pids: number[]; rssBytes: number }>();
  for (const p of [...processes].sort((a, b) => b.rssBytes - a.rssBytes)) {
    const words = (p.command || '?').trim().split(/\s+/);
    words[0] = words[0]!.slice(words[0]!.lastIndexOf('/') + 1) || words[0]!;
    const line = words.join(' ');
    const command = line.length > COMMAND_CHARS ? `${line.slice(0, COMMAND_CHARS - 1)}…` : line;
    const group = groups.get(command) ?? { pids: [], rssBytes: 0 };
    group.pids.push(p.pid);
    group.rssBytes += p.rssBytes;
    groups.set(command, group);
  }
  return [...groups]
    .sort(([, a], [, b]) => b.rssBytes - a.rssBytes)
    .map(
      ([command, g]) =>
        `${command}${g.pids.length > 1 ? ` ×${g.pids.length}` : ''} (pid${g.pids.length > 1 ? 's' : ''} ${g.pids.join(', ')}) ${mb(g.rssBytes)}`,
    )
    .join(', ');
}
