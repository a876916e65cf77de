import type { PluginInstance } from '../core/index.js';
import alerts from '../plugins/alerts/index.js';
import healthHttp from '../plugins/health-http/index.js';
import logRotate from '../plugins/log-rotate/index.js';
import memoryGuard from '../plugins/memory-guard/index.js';
import portGuard from '../plugins/port-guard/index.js';
import watch from '../plugins/watch/index.js';

/** The plugins that run, with their defaults, when a config has no `plugins` key. */
export function builtinPlugins(): PluginInstance[] {
  return [healthHttp(), portGuard(), memoryGuard(), logRotate(), alerts(), watch()];
}
