import type { PluginInstance } from '../core/index.js';

/**
 * The plugins that run when a config has no `plugins` key. The built-in watchers
 * (health-http, port-guard, memory-guard, log-rotate) join this list as they land.
 */
export function builtinPlugins(): PluginInstance[] {
  return [];
}
