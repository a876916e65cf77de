/**
 * The public API of zmart: what a config file and a plugin may import (as `zmart`).
 * Plugins import only from here. Keep this module light: no supervisor, no process code.
 */
import type { ZmartConfigInput } from './config/types.js';

export { definePlugin, isPluginInstance } from './plugin.js';
export type { PluginContext, PluginDefinition, PluginFactory, PluginInstance, Teardown } from './plugin.js';
export type { HookMap, HookName, HookHandler, AwaitedHook } from './hooks.js';
export { AWAITED_HOOKS } from './hooks.js';
export type { ProbeDescription, ProbeTarget, ServiceProbes } from './probe.js';
export type { FollowedLine, LineHandler } from './plugin-guard/line-queue.js';
export { RESTART_KINDS } from './service/types.js';
export { OPERATOR_SIGNALS, type OperatorSignal } from './service/signals.js';
export type {
  Alert,
  AlertLevel,
  Health,
  LastRestart,
  RestartKind,
  RestartReason,
  ServiceSnapshot,
  ServiceState,
} from './service/types.js';
export type {
  DependencyCondition,
  MonitorDefaults,
  ResolvedConfig,
  ResolvedService,
  RestartPolicy,
  ServiceConfigInput,
  ServiceOptionsRegistry,
  ZmartConfigInput,
} from './config/types.js';
export type {
  Clock,
  FileWatch,
  FileWatcher,
  HttpClient,
  HttpProbeResult,
  Logger,
  PluginProcesses,
  PortListener,
  ProcessView,
  RotationPolicy,
  ServiceLine,
  SystemInfo,
  TreeUsage,
  Scheduler,
  Timer,
} from './di/contracts.js';
export { ZmartError, ConfigError, type ZmartErrorCode, type ConfigIssue } from './errors.js';
export { parseDuration, parseSize, formatDuration, type Duration, type Size } from './units.js';
export { escapeControls } from './format.js';
export { backoff, duration, interval, size, integer } from './config/schema.js';
export { isLoopback, listen, listenAddress, parseListen, type ListenTarget } from './http/listen.js';
export {
  BUCKETS_MS,
  bucketOf,
  emptyPeriod,
  HistoryWriter,
  historyDir,
  isEmpty,
  percentile,
  readDays,
  readMinutes,
  type Day,
  type Minute,
  type Period,
} from './history/store.js';
/** zod/mini's schemas (functions instead of methods: z.optional(z.string())); plugins may use zod's classic API too. */
export * as z from './zod.js';

/** Types a config file: `export default defineConfig({ services: {...} })`. */
export function defineConfig(config: ZmartConfigInput): ZmartConfigInput {
  return config;
}
