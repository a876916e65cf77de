import type { PluginInstance } from '../core/index.js';
import healthHttp from '../plugins/health-http/index.js';
import logRotate from '../plugins/log-rotate/index.js';
import portGuard from '../plugins/port-guard/index.js';

/**
 * The plugins that run, with their defaults, when a config has no `plugins` key.
 * memory-guard and alerts join this list as they land.
 */
export function builtinPlugins(): PluginInstance[] {
  return [healthHttp(), portGuard(), logRotate()];
}
