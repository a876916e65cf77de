import type { ResolvedConfig, ResolvedService } from '../config/types.js';
import { isProbed } from '../plugin-host.js';

export interface ReloadPlan {
  added: string[];
  removed: string[];
  changed: string[];
  unchanged: string[];
  /** The plugins' list, options or the monitor defaults changed: they are set up again. */
  pluginsChanged: boolean;
}

// `image` is for exports only: a new one changes nothing here.
const sameService = (a: ResolvedService, b: ResolvedService) => JSON.stringify({ ...a, image: null }) === JSON.stringify({ ...b, image: null });
const pluginKey = (config: ResolvedConfig) => JSON.stringify(config.plugins.map((p) => [p.name, p.enabled, p.given])) + JSON.stringify(config.monitor);

/**
 * What a reload from `current` to `next` does to each service: a pure function of the two
 * configs. A service whose config or probing changed is restarted; the rest are left alone.
 */
export function planReload(current: ResolvedConfig, next: ResolvedConfig): ReloadPlan {
  const before = new Map(current.services.map((s) => [s.name, s]));
  const after = new Set(next.services.map((s) => s.name));
  const plan: ReloadPlan = { added: [], removed: [], changed: [], unchanged: [], pluginsChanged: pluginKey(current) !== pluginKey(next) };
  for (const name of before.keys()) if (!after.has(name)) plan.removed.push(name);
  for (const service of next.services) {
    const old = before.get(service.name);
    if (!old) plan.added.push(service.name);
    else if (sameService(old, service) && isProbed(old, current.plugins) === isProbed(service, next.plugins)) plan.unchanged.push(service.name);
    else plan.changed.push(service.name);
  }
  return plan;
}
