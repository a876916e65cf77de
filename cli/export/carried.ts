import { relative } from 'node:path';
import type { ResolvedConfig, ResolvedService } from '../../core/config/types.js';
import { SECRET_NAME } from '../../core/logging/redact.js';
import { serviceEnv } from '../../core/process/service-env.js';
import type { ProbeDescription, ServiceProbes } from '../../core/probe.js';

/** A file or object name piece: lower case letters, digits and dashes (DNS-1123 as Kubernetes wants). */
export const slug = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '') || 'fleet';

/** Where the fleet's folder sits in an image built from it (compose's default build, `--image`). */
export const CONTAINER_ROOT = '/app';

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

/** The service's health probe with its plugin's defaults filled in, or null when it has none (or the plugin is off). */
export const healthProbe = (config: ResolvedConfig, s: ResolvedService): ProbeDescription | null => probesOf(config, s).health;

/** The service's readiness probe (`ready: { path | tcp | exec }`); a logLine has no probe. */
export const readyProbe = (config: ResolvedConfig, s: ResolvedService): ProbeDescription | null => probesOf(config, s).ready;

/** `127.0.0.1:8000`, `localhost:8000`, `[::1]:8000` in a value. */
const LOOPBACK = /(?:\b(?:127\.0\.0\.1|localhost)|\[::1\]):(\d+)\b/g;

/**
 * The service's own variables as zmart gives them (env files, `env`, PORT; not zmart's own
 * environment, not a virtualenv's PATH), split into plain ones and the secret-looking ones
 * (the names zmart redacts), which targets keep apart (an owner-only file, a Secret). A
 * loopback address with another service's port (`http://127.0.0.1:8000` for the API) becomes
 * that service's host name in the target (`http://api:8000`), said in `rewritten`.
 */
export function carriedEnv(
  s: ResolvedService,
  hostOfPort: Map<number, string>,
): { plain: Record<string, string>; secret: Record<string, string>; rewritten: string[] } {
  const env = serviceEnv({ ...s, venv: null }, {});
  const plain: Record<string, string> = {};
  const secret: Record<string, string> = {};
  const rewritten: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    const carried = value.replace(LOOPBACK, (whole, port: string) => {
      const host = hostOfPort.get(Number(port));
      return host === undefined || Number(port) === s.port ? whole : `${host}:${port}`;
    });
    if (carried !== value)
      rewritten.push(
        `services.${s.name}.env.${name}: ${SECRET_NAME.test(name) ? 'its loopback address' : value} points at another service: now ${SECRET_NAME.test(name) ? "that service's name" : carried}`,
      );
    (SECRET_NAME.test(name) ? secret : plain)[name] = carried;
  }
  return { plain, secret, rewritten };
}

/** Each port of the fleet, and the name the target reaches its service by. */
export function hostsByPort(config: ResolvedConfig, nameOf: (service: string) => string): Map<number, string> {
  return new Map(config.services.flatMap((s) => (s.port === null ? [] : [[s.port, nameOf(s.name)] as [number, string]])));
}

/** memory-guard's limit for the service's tree, in bytes, if any. */
export const memoryLimit = (s: ResolvedService): number | null => (s.options.memory as { maxRss?: number } | undefined)?.maxRss ?? null;

/** The service's folder inside an image of the whole fleet: /app, /app/backend. */
export function containerDir(config: ResolvedConfig, s: ResolvedService): string {
  const rel = relative(config.root, s.cwd).split('\\').join('/');
  return rel === '' ? CONTAINER_ROOT : rel.startsWith('..') ? s.cwd : `${CONTAINER_ROOT}/${rel}`;
}

/** The command as argv for a container: strings run through /bin/sh -c, as zmart runs them. */
export const containerCommand = (s: ResolvedService): string[] => (Array.isArray(s.command) ? s.command : ['/bin/sh', '-c', s.command]);

/**
 * A literal for a target that expands `$` itself: Compose interpolates `$VAR`, `${VAR}` from the
 * deploying shell (and refuses `$5`), the kubelet expands `$(VAR)` in command and args; both read
 * `$$` as one `$`. So every `$` is doubled.
 */
export const dollarsKept = (text: string): string => text.replaceAll('$', '$$$$');

/** What every target loses of the fleet, whatever it is. */
export function commonLosses(config: ResolvedConfig, target: string): string[] {
  const losses: string[] = [];
  for (const s of config.services) {
    if (s.venv) losses.push(`services.${s.name}.venv: the image must hold the Python environment (the virtualenv is a folder of this machine)`);
    if (s.restart.cron) losses.push(`services.${s.name}.restart.cron: ${target} has no scheduled restart (a cron job that restarts it)`);
    if (s.options.watch) losses.push(`services.${s.name}.watch: no restart on file changes in ${target}`);
    if (s.ready && 'logLine' in s.ready) losses.push(`services.${s.name}.ready.logLine: ${target} cannot read the output for a ready line`);
  }
  const slow = config.services.filter((s) => healthProbe(config, s)?.slow).map((s) => s.name);
  if (slow.length > 0) losses.push(`services ${slow.join(', ')}: the restart of a slow service (health-http's slow) has no ${target} form`);
  const plugins = config.plugins.filter((p) => p.enabled && !['health-http', 'memory-guard', 'watch'].includes(p.name)).map((p) => p.name);
  if (plugins.length > 0) losses.push(`plugins ${plugins.join(', ')}: no ${target} form (alerts, port checks and log rotation stay with zmart)`);
  return losses;
}
