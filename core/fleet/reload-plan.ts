import { checkFileRoom } from '../process/fd-room.js';
import type { ResolvedConfig, ResolvedService } from '../config/types.js';
import { ZmartError } from '../errors.js';
import { isProbed } from '../plugin-host.js';

export interface ReloadPlan {
  added: string[];
  removed: string[];
  /** A process setting changed (command, env, cwd, port, stop...): restarted. */
  changed: string[];
  /** Only settings read while it runs changed (plugin options, title, restart budget, dependsOn, stop): applied, process kept. */
  updated: string[];
  unchanged: string[];
  /** The plugins' list, options or deadlines, the monitor defaults, or a service's plugin options changed: they are set up again. */
  pluginsChanged: boolean;
}

/**
 * What a running service takes without a restart: everything plugins read (their per-service
 * options: health, memory, watch...; whether a plugin probes it at all), its title, restart
 * budget and backoff, its dependencies, and how it is stopped (read when it is stopped). A restart schedule (`restart.cron`) is armed at
 * start: a new one restarts the service. `image` is for exports only: it changes nothing here.
 * Everything else is how its process runs.
 */
const liveParts = (s: ResolvedService, config: ResolvedConfig) => ({
  title: s.title,
  options: s.options,
  probed: isProbed(s, config.plugins),
  restart: { ...s.restart, cron: null },
  dependsOn: s.dependsOn,
  stop: s.stop,
});
const processParts = (s: ResolvedService) => ({
  ...s,
  title: null,
  base: null, // its title is live; its port is `port`
  options: null,
  restart: null,
  dependsOn: null,
  stop: null,
  image: null,
  cron: s.restart.cron,
});

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const pluginKey = (config: ResolvedConfig) =>
  JSON.stringify(config.plugins.map((p) => [p.name, p.enabled, p.given])) + JSON.stringify(config.monitor) + JSON.stringify(config.pluginTimeouts);

/**
 * What a reload from `current` to `next` does to each service: a pure function of the two
 * configs. A service whose process settings changed is restarted; one whose other settings
 * changed is updated in place; the rest are left alone.
 */
export function planReload(current: ResolvedConfig, next: ResolvedConfig): ReloadPlan {
  const before = new Map(current.services.map((s) => [s.name, s]));
  const after = new Set(next.services.map((s) => s.name));
  const plan: ReloadPlan = { added: [], removed: [], changed: [], updated: [], unchanged: [], pluginsChanged: pluginKey(current) !== pluginKey(next) };
  for (const name of before.keys()) if (!after.has(name)) plan.removed.push(name);
  for (const service of next.services) {
    const old = before.get(service.name);
    if (!old) plan.added.push(service.name);
    else if (!same(processParts(old), processParts(service))) plan.changed.push(service.name);
    else if (!same(liveParts(old, current), liveParts(service, next))) {
      plan.updated.push(service.name);
      if (!same(old.options, service.options)) plan.pluginsChanged = true;
    } else plan.unchanged.push(service.name);
  }
  return plan;
}

/**
 * What a reload (or a scale) cannot apply, refused before anything changes: pidDir and logDir
 * stay what zmart started with, and a fleet grown past zmart's open-file limit never starts.
 */
export function refuseReload(current: ResolvedConfig, next: ResolvedConfig): void {
  checkFileRoom(next.services.length, `${next.file ?? 'the new config'}`);
  for (const key of ['pidDir', 'logDir'] as const) {
    if (next[key] !== current[key]) {
      throw new ZmartError('ZMART_CONFIG_INVALID', `${key} changed (${current[key]} -> ${next[key]}): restart zmart to apply it`);
    }
  }
}
