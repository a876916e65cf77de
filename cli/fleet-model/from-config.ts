import { basename } from 'node:path';
import type { ResolvedConfig, ResolvedService } from '../../core/config/types.js';
import { SECRET_NAME } from '../../core/logging/redact.js';
import { serviceEnv } from '../../core/process/service-env.js';
import type { ServiceProbes } from '../../core/probe.js';
import type { DeployedFleet, DeployedService } from './model.js';

/** Plugins whose per-service keys every target carries in some form: probes, the memory limit, watched folders. */
const CARRIED_PLUGINS = ['health-http', 'memory-guard', 'watch'];
const CARRIED_KEYS = ['health', 'memory', 'watch'];

/**
 * The service's probes as the plugin that probes it describes them (`describeProbes`, any
 * health plugin can): the first enabled plugin that probes it, or none.
 */
function probesOf(config: ResolvedConfig, s: ResolvedService): ServiceProbes {
  for (const plugin of config.plugins) {
    if (!plugin.enabled || !plugin.definition.describeProbes) continue;
    const probes = plugin.definition.describeProbes(s, plugin.given, config.monitor);
    if (probes.health || probes.ready) return probes;
  }
  return { health: null, ready: null };
}

/** Split by name: the secret-looking ones (the names zmart redacts) apart. */
export function splitSecrets(env: Record<string, string>): DeployedService['env'] {
  const plain: Record<string, string> = {};
  const secret: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) (SECRET_NAME.test(name) ? secret : plain)[name] = value;
  return { plain, secret };
}

function watchedOf(s: ResolvedService): DeployedService['watch'] {
  const watch = s.options.watch as string[] | { paths: string[]; ignore?: string[] } | undefined;
  if (watch === undefined) return null;
  return Array.isArray(watch) ? { paths: watch, ignore: [] } : { paths: watch.paths, ignore: watch.ignore ?? [] };
}

/** One service of a resolved config, for a target. */
export function deployedService(config: ResolvedConfig, s: ResolvedService): DeployedService {
  const probes = probesOf(config, s);
  const watching = config.plugins.some((p) => p.enabled && p.name === 'watch');
  return {
    name: s.name,
    title: s.title,
    command: s.command,
    cwd: s.cwd,
    image: s.image,
    user: s.runAs?.user ?? null,
    // the group zmart runs it with, as a gid (the user's primary one when only `user` is given)
    group: s.runAs ? String(s.runAs.gid) : null,
    // env files, `env` and PORT as zmart gives them; not zmart's own environment, not the virtualenv's PATH
    env: splitSecrets(serviceEnv({ ...s, venv: null, runAs: null }, {})),
    envFiles: [],
    venv: s.venv,
    port: s.port,
    socket: s.socket,
    health: probes.health,
    ready: probes.ready,
    readyLogLine: s.ready && 'logLine' in s.ready ? s.ready.logLine : null,
    readyAfterMs: s.readyAfterMs,
    memoryMaxBytes: (s.options.memory as { maxRss?: number } | undefined)?.maxRss ?? null,
    dependsOn: s.dependsOn,
    stop: s.stop,
    restart: s.restart,
    replicas: 1,
    watch: watching ? watchedOf(s) : null,
    zmartOnly: [...Object.keys(s.options).filter((key) => !CARRIED_KEYS.includes(key)), ...(probes.health?.slow ? ['health.slow'] : [])],
  };
}

/** A replicated service once, as its config says it (its first replica, without what zmart gives each), with the count. */
function oncePerGroup(config: ResolvedConfig): DeployedService[] {
  const counts = new Map<string, number>();
  for (const s of config.services) counts.set(s.group, (counts.get(s.group) ?? 0) + 1);
  return config.services
    .filter((s) => s.replica === null || s.replica.index === 1)
    .map((s) => {
      const deployed = deployedService(config, s);
      if (s.replica === null) return deployed;
      const { ZMART_REPLICA: _, PORT: __, ...plain } = deployed.env.plain;
      const port = s.base.port;
      return {
        ...deployed,
        name: s.group,
        title: s.base.title,
        port,
        env: { ...deployed.env, plain: port === null ? plain : { ...plain, PORT: String(port) } },
        replicas: counts.get(s.group)!,
      };
    })
    .map((s) => ({ ...s, dependsOn: Object.fromEntries(Object.entries(s.dependsOn).map(([dep, c]) => [dep.replace(/#1$/, ''), c])) }));
}

/** The fleet of a resolved config, for the exports. */
export function deployedFleet(config: ResolvedConfig): DeployedFleet {
  return {
    name: basename(config.root),
    root: config.root,
    source: config.file,
    services: oncePerGroup(config),
    plugins: config.plugins.filter((p) => p.enabled && !CARRIED_PLUGINS.includes(p.name)).map((p) => p.name),
  };
}
