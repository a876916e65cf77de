import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import * as z from 'zod/mini';
import type { $ZodError, $ZodType } from 'zod/v4/core';
import { ConfigError, type ConfigIssue } from '../errors.js';
import type { PluginInstance } from '../plugin.js';
import { describe, offPluginNotes, pluginList } from './plugin-list.js';
import { applyEnvOverrides } from './env.js';
import { cronProblem } from '../service/schedule.js';
import { readEnvFiles } from './env-file.js';
import { expandReplicas } from './replicas.js';
import { closest, keysAt } from './suggest.js';
import { folderIssues } from './folders.js';
import { checkDependencies, dependencyOrder } from '../fleet/graph.js';
import { baseServiceShape, RESERVED_NAMES, SERVICE_NAME, topLevelShape } from './schema.js';
import { lookupRunAs, type RunAs } from './accounts.js';
import type { DependencyCondition, ResolvedConfig, ResolvedService } from './types.js';

export interface ResolveOptions {
  /** The config file (for messages and relative paths); null for a config built in code. */
  file: string | null;
  /** Where relative paths resolve when there is no file (default: the current directory). */
  root?: string;
  env?: Record<string, string | undefined>;
  /** The plugins that run when the config has no `plugins` key. */
  builtins?: () => PluginInstance[];
  /** The uid zmart runs as (default: this process's): not root, it can run services only as itself. */
  uid?: number;
}

/**
 * Turns what a config file exported into a ResolvedConfig, or throws one ConfigError that
 * lists every problem with its key path. Env overrides apply first; nothing is started here.
 */
export function resolveConfig(raw: unknown, options: ResolveOptions): ResolvedConfig {
  const where = options.file ?? '(inline config)';
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(where, [{ path: '', message: `expected an object (export default defineConfig({ services: {...} })), got ${describe(raw)}` }]);
  }
  const { config: overridden, issues, forced } = applyEnvOverrides(raw as Record<string, unknown>, options.env ?? process.env);

  const entries = pluginList((overridden as { plugins?: unknown }).plugins, options.builtins?.() ?? [], issues);
  const plugins = entries.map((e) => e.plugin);
  const serviceSchema = z.strictObject({ ...baseServiceShape, ...pluginServiceShape(plugins, issues) });
  const schema = z.strictObject({
    ...topLevelShape,
    services: z
      .record(z.string().check(z.regex(SERVICE_NAME, 'a service name is 1 to 64 letters, digits, _ . - (not starting with . - _)')), serviceSchema)
      .check(z.refine((s: object) => Object.keys(s).length > 0, 'expected at least one service')),
  });

  const parsed = z.safeParse(schema, overridden);
  if (!parsed.success) {
    issues.push(...zodIssues(parsed.error, '', { schema, input: overridden }));
    issues.push(...checkDependencies(rawDependencies(overridden))); // every error at once: the graph's too
  }
  const pluginOptions = entries.map((e) => resolvePluginOptions(e.plugin, e.where, issues));
  if (!parsed.success || issues.length > 0) throw new ConfigError(where, issues);

  const data = parsed.data;
  const root = options.file ? dirname(options.file) : resolve(options.root ?? process.cwd());
  for (const name of Object.keys(data.services)) {
    const taken = RESERVED_NAMES[name];
    if (taken) issues.push({ path: `services.${name}`, message: `the name '${name}' is reserved (${taken})` });
  }
  issues.push(...checkDependencies(Object.fromEntries(Object.entries(data.services).map(([n, s]) => [n, s.dependsOn]))));
  issues.push(...checkPorts(data.services));

  const services: ResolvedService[] = [];
  for (const [name, s] of Object.entries(data.services)) {
    const cwd = resolve(root, s.cwd ?? '.');
    if (!isDirectory(cwd)) issues.push({ path: `services.${name}.cwd`, message: `folder ${cwd} does not exist` });
    const venv = s.venv ? resolve(cwd, s.venv) : null;
    let runAs: RunAs | null = null;
    if (s.user !== undefined || s.group !== undefined) {
      const found = lookupRunAs(s.user, s.group, options.uid ?? process.getuid?.() ?? 0);
      if (typeof found === 'string')
        issues.push({ path: `services.${name}.${s.user !== undefined && !found.startsWith('no group') ? 'user' : 'group'}`, message: found });
      else runAs = found;
    }
    const files = s.envFile === undefined ? [] : Array.isArray(s.envFile) ? s.envFile : [s.envFile];
    const fromFiles = readEnvFiles(files, cwd, options.env ?? process.env);
    if ('problem' in fromFiles) issues.push({ path: `services.${name}.envFile`, message: fromFiles.problem });
    if (s.ready && ('path' in s.ready || 'tcp' in s.ready) && s.port === undefined) {
      issues.push({ path: `services.${name}.ready`, message: `a ready ${'tcp' in s.ready ? 'tcp probe' : 'path'} needs the service's port (set port)` });
    }
    const cronIssue = s.restart.cron === undefined ? null : cronProblem(s.restart.cron);
    if (cronIssue) issues.push({ path: `services.${name}.restart.cron`, message: cronIssue });
    if (venv && !isDirectory(join(venv, 'bin'))) {
      issues.push({ path: `services.${name}.venv`, message: `${venv} is not a virtualenv (no bin/ folder in it)` });
    }
    const serviceOptions: Record<string, unknown> = {};
    for (const p of plugins) {
      const key = p.definition.service?.key;
      if (!key || (s as Record<string, unknown>)[key] === undefined) continue;
      serviceOptions[key] = (s as Record<string, unknown>)[key];
      const problem = p.definition.service?.check?.(serviceOptions[key], { name, port: s.port ?? null });
      if (problem) issues.push({ path: `services.${name}.${key}`, message: problem });
    }
    services.push({
      name,
      title: s.title ?? name,
      group: name,
      replica: null,
      base: { title: s.title ?? name, port: s.port ?? null },
      command: s.command,
      commandText: Array.isArray(s.command) ? s.command.join(' ') : s.command,
      cwd,
      runAs,
      env: Object.fromEntries(Object.entries(s.env).map(([k, v]) => [k, String(v)])),
      fileEnv: 'env' in fromFiles ? fromFiles.env : {},
      venv,
      port: s.port ?? null,
      socket: s.socket === undefined ? null : { host: (s.socket === true ? undefined : s.socket.host) ?? '127.0.0.1' },
      image: s.image ?? null,
      readyAfterMs: s.readyAfter,
      ready: s.ready ?? null,
      restart: {
        policy: s.restart.policy,
        maxRestarts: s.restart.maxRestarts,
        windowMs: s.restart.window,
        backoff: { initialMs: s.restart.backoff.initial, factor: s.restart.backoff.factor, maxMs: s.restart.backoff.max },
        minUptimeMs: s.restart.minUptime,
        cron: s.restart.cron ?? null,
      },
      stop: { signal: s.stop.signal, timeoutMs: s.stop.timeout, mode: s.stop.mode },
      dependsOn: s.dependsOn,
      logs: { timestamps: s.logs.timestamps },
      options: serviceOptions,
    });
  }
  if (issues.length > 0) throw new ConfigError(where, issues);

  const replicated = expandReplicas(services, new Map(Object.entries(data.services).map(([name, s]) => [name, s.replicas])));
  issues.push(...replicated.issues);
  const order = dependencyOrder(Object.fromEntries(replicated.services.map((s) => [s.name, s.dependsOn])));
  const byName = new Map(replicated.services.map((s) => [s.name, s]));
  const absolute = (p: string) => (isAbsolute(p) ? p : resolve(root, p));
  const folders = { pidDir: absolute(data.pidDir), logDir: absolute(data.logDir) };
  issues.push(...folderIssues(folders));
  if (issues.length > 0) throw new ConfigError(where, issues);
  return {
    file: options.file,
    root,
    ...folders,
    debug: data.debug,
    monitor: { intervalMs: data.monitor.interval, timeoutMs: data.monitor.timeout, forced },
    pluginTimeouts: { setupMs: data.pluginTimeouts.setup, prestartMs: data.pluginTimeouts.prestart, teardownMs: data.pluginTimeouts.teardown },
    services: order.map((n) => byName.get(n)!),
    plugins: plugins.map((p, i) => ({ ...p, given: pluginOptions[i] ?? p.given })),
    notes: offPluginNotes(plugins, services),
  };
}

/** Each plugin's per-service key, validated by the plugin's schema (kept even when disabled). */
function pluginServiceShape(plugins: PluginInstance[], issues: ConfigIssue[]): Record<string, $ZodType> {
  const shape: Record<string, $ZodType> = {};
  for (const p of plugins) {
    const service = p.definition.service;
    if (!service) continue;
    if (service.key in baseServiceShape || service.key in shape) {
      issues.push({ path: `plugins (${p.name})`, message: `per-service key '${service.key}' is already taken` });
      continue;
    }
    shape[service.key] = z.optional(service.schema);
  }
  return shape;
}

function resolvePluginOptions(plugin: PluginInstance, where: string, issues: ConfigIssue[]): object | undefined {
  const defaults = plugin.definition.defaults as Record<string, unknown>;
  const schema = plugin.definition.options as $ZodType | undefined;
  // The keys a user may give: the schema's (an object schema names them), else the defaults'.
  const shape = (schema?._zod.def as { shape?: Record<string, unknown> } | undefined)?.shape;
  const known = schema ? (shape ? Object.keys(shape) : null) : Object.keys(defaults);
  for (const key of known ? Object.keys(plugin.given) : []) {
    if (!known!.includes(key)) {
      issues.push({ path: `${where}.${key}`, message: `unknown option (known: ${known!.join(', ') || 'none'})` });
    }
  }
  const merged = { ...defaults, ...plugin.given };
  if (!schema) return merged;
  const parsed = z.safeParse(schema, merged);
  if (parsed.success) return parsed.data as object;
  issues.push(...zodIssues(parsed.error, where));
  return undefined;
}

function checkPorts(services: Record<string, { port?: number; socket?: unknown }>): ConfigIssue[] {
  const owners = new Map<number, string>();
  const issues: ConfigIssue[] = [];
  for (const [name, s] of Object.entries(services)) {
    if (s.socket !== undefined && s.port === undefined)
      issues.push({ path: `services.${name}.socket`, message: 'needs a port: zmart binds it for the service' });
    if (s.port === undefined) continue;
    const owner = owners.get(s.port);
    if (owner) issues.push({ path: `services.${name}.port`, message: `port ${s.port} is already used by service '${owner}'` });
    else owners.set(s.port, name);
  }
  return issues;
}

/**
 * zod's issues as config issues: an unknown key with the known key it most likely meant
 * (`did you mean 'services'?`, when `schema` is given), a missing one as `required` (when the
 * `input` is given), the rest as zod says them.
 */
export function zodIssues(error: $ZodError, prefix = '', context: { schema?: unknown; input?: unknown } = {}): ConfigIssue[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), prefix);
    if (issue.code === 'invalid_key' && issue.issues[0]) return [{ path, message: issue.issues[0].message }];
    const unknownKeys = (keys: string[]) => {
      const known = context.schema ? keysAt(context.schema, issue.path) : [];
      return keys.map((k) => {
        const near = closest(k, known);
        return { path: path ? `${path}.${k}` : k, message: near ? `unknown key: did you mean '${near}'?` : 'unknown key' };
      });
    };
    if (issue.code === 'unrecognized_keys') return unknownKeys(issue.keys);
    // one of several shapes (`ready: { path } | { tcp } | ...`): a key none of them takes is the mistake to name
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const unknown = issue.errors.map((branch) => new Set(branch.flatMap((i) => (i.code === 'unrecognized_keys' && i.path.length === 0 ? i.keys : []))));
      const everywhere = [...unknown[0]!].filter((k) => unknown.every((keys) => keys.has(k)));
      if (everywhere.length > 0) return unknownKeys(everywhere);
    }
    if (context.input !== undefined && (issue.code === 'invalid_union' || issue.code === 'invalid_type') && valueAt(context.input, issue.path) === undefined) {
      return [{ path, message: 'required' }];
    }
    return [{ path, message: issue.message }];
  });
}

/** Each service's `dependsOn` as written, where it can be read, for a config that did not parse. */
function rawDependencies(config: object): Record<string, Record<string, DependencyCondition>> {
  const services = (config as { services?: unknown }).services;
  if (typeof services !== 'object' || services === null) return {};
  return Object.fromEntries(
    Object.entries(services as Record<string, { dependsOn?: unknown } | null>).map(([name, s]) => {
      const deps = s?.dependsOn;
      if (Array.isArray(deps)) return [name, Object.fromEntries(deps.filter((d) => typeof d === 'string').map((d) => [d, 'started']))];
      return [name, typeof deps === 'object' && deps !== null ? (deps as Record<string, DependencyCondition>) : {}];
    }),
  );
}

const valueAt = (input: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined), input);

function isDirectory(path: string): boolean {
  try {
    return existsSync(path) && statSync(path).isDirectory();
  } catch {
    return false;
  }
}
