import type { ConfigIssue } from '../errors.js';
import { isPluginInstance, type PluginInstance } from '../plugin.js';

/** A plugin that runs, and where its options came from (for messages): `plugins[2]`, or `built-in`. */
export interface PluginEntry {
  plugin: PluginInstance;
  where: string;
}

/**
 * The plugins that run: the built-ins, each in its place, taking the listed instance when the
 * config lists it (its options; `enabled: false` turns it off), then the listed plugins that are
 * not built-ins, in their order. Without a `plugins` key, the built-ins with their defaults.
 */
export function pluginList(listed: unknown, builtins: PluginInstance[], issues: ConfigIssue[]): PluginEntry[] {
  const given = listed === undefined ? [] : checkPlugins(listed, issues);
  const byName = new Map(given.map((e) => [e.plugin.name, e]));
  const builtin = new Set(builtins.map((p) => p.name));
  return [...builtins.map((p) => byName.get(p.name) ?? { plugin: p, where: `built-in ${p.name}` }), ...given.filter((e) => !builtin.has(e.plugin.name))];
}

function checkPlugins(value: unknown, issues: ConfigIssue[]): PluginEntry[] {
  if (!Array.isArray(value)) {
    issues.push({ path: 'plugins', message: `expected an array of plugins, got ${describe(value)}` });
    return [];
  }
  const entries: PluginEntry[] = [];
  const seen = new Set<string>();
  value.forEach((item, i) => {
    if (!isPluginInstance(item)) {
      const hint = typeof item === 'function' ? ' (call the factory: myPlugin() rather than myPlugin)' : '';
      issues.push({ path: `plugins[${i}]`, message: `expected a plugin${hint}, got ${describe(item)}` });
    } else if (seen.has(item.name)) {
      issues.push({ path: `plugins[${i}]`, message: `plugin '${item.name}' is listed twice` });
    } else {
      seen.add(item.name);
      entries.push({ plugin: item, where: `plugins[${i}] (${item.name})` });
    }
  });
  return entries;
}

/**
 * What a config says that does nothing: a service's key owned by a plugin that is off
 * (`enabled: false` keeps its settings, unused until it is on again). One line each, naming the
 * plugin: `zmart start` prints them, the supervisor logs them.
 */
export function offPluginNotes(plugins: PluginInstance[], services: Array<{ group: string; options: Record<string, unknown> }>): string[] {
  const notes = plugins.flatMap((p) => {
    const key = p.definition.service?.key;
    if (p.enabled || !key) return [];
    return services
      .filter((s) => key in s.options)
      .map((s) => `services.${s.group}.${key} is set, but its plugin ${p.name} is off (enabled: false): not applied`);
  });
  return [...new Set(notes)];
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}
