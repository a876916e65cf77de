import { existsSync } from 'node:fs';
import { basename, dirname, join, posix, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { parseDocument } from 'yaml';
import { STOP_SIGNALS } from '../../core/config/schema.js';
import { healthcheckTest } from '../export/compose-file.js';
import { CONTAINER_ROOT } from '../export/carried.js';
import { newProbe, newService } from '../fleet-model/defaults.js';
import { splitSecrets } from '../fleet-model/from-config.js';
import type { DeployedService } from '../fleet-model/model.js';
import { dockerBytes, goDurationMs, interpolate } from './compose-values.js';
import { ImportError, type Imported, ServiceNames } from './imported.js';
import { readSource } from './read-source.js';
import { wordsOf } from './shell-words.js';

type Entry = Record<string, unknown>;

/** Keys this import reads; any other key of a service is said as not carried. */
const READ = new Set([
  'image',
  'build',
  'command',
  'entrypoint',
  'environment',
  'env_file',
  'working_dir',
  'ports',
  'healthcheck',
  'depends_on',
  'restart',
  'stop_signal',
  'stop_grace_period',
  'mem_limit',
  'deploy',
  'user',
  'container_name',
  'expose',
  'scale',
]);

/** Every string of the document through Compose's interpolation. */
function interpolated(value: unknown, env: Record<string, string | undefined>, where: string, used: Set<string>): unknown {
  if (typeof value === 'string') return interpolate(value, env, where, used);
  if (Array.isArray(value)) return value.map((v, i) => interpolated(v, env, `${where}[${i}]`, used));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolated(v, env, `${where}.${k}`, used)]));
  }
  return value;
}

/** `8000`, `8000:8000`, `127.0.0.1:8000:8000/tcp`, `{ target: 8000 }`: the container's port. */
function containerPort(entry: unknown): number | null {
  if (typeof entry === 'object' && entry !== null) return Number((entry as { target?: unknown }).target) || null;
  const text = String(entry).replace(/\/(tcp|udp)$/, '');
  const last = text.split(':').at(-1)!;
  return /^\d+$/.test(last) ? Number(last) : null;
}

/** A healthcheck's test as zmart's probe: its own export's curl and nc checks read back as HTTP and TCP probes. */
function probeOf(test: unknown, where: string): DeployedService['health'] {
  const parts = Array.isArray(test) ? test.map(String) : ['CMD-SHELL', String(test)];
  const [kind, ...rest] = parts;
  if (kind === 'NONE') return null;
  if (kind === 'CMD') return newProbe({ kind: 'exec', command: rest });
  if (kind !== 'CMD-SHELL' || rest.length !== 1) throw new ImportError(`${where}: expected CMD, CMD-SHELL or NONE first in the test`);
  const line = rest[0]!;
  const http = /^curl -fsS -o \/dev\/null --max-time (\d+) '([^']+)' \|\| wget /.exec(line);
  if (http && JSON.stringify(healthcheckTest({ ...newProbe({ kind: 'http', url: http[2]! }), timeoutMs: Number(http[1]) * 1000 })) === JSON.stringify(parts)) {
    return newProbe({ kind: 'http', url: http[2]! });
  }
  const tcp = /^nc -z -w (\d+) 127\.0\.0\.1 (\d+) \|\| bash /.exec(line);
  if (
    tcp &&
    JSON.stringify(healthcheckTest({ ...newProbe({ kind: 'tcp', port: Number(tcp[2]) }), timeoutMs: Number(tcp[1]) * 1000 })) === JSON.stringify(parts)
  ) {
    return newProbe({ kind: 'tcp', port: Number(tcp[2]) });
  }
  return newProbe({ kind: 'exec', command: line });
}

function restartOf(value: unknown, service: DeployedService, where: string): void {
  const text = String(value ?? 'no');
  const onFailure = /^on-failure(?::(\d+))?$/.exec(text);
  if (text === 'no') service.restart.policy = 'never';
  else if (text === 'always' || text === 'unless-stopped') service.restart.policy = 'always';
  else if (onFailure) {
    service.restart.policy = 'on-failure';
    if (onFailure[1] !== undefined) service.restart.maxRestarts = Number(onFailure[1]);
  } else throw new ImportError(`${where}.restart: ${JSON.stringify(text)}: expected no, always, on-failure[:N] or unless-stopped`);
}

/**
 * A Compose file: each service with a command (or entrypoint) a zmart service running it on this
 * machine, in its build folder; environment and env files, the container port, the healthcheck
 * as a health probe, depends_on with its conditions, restart, stop signal and grace period and
 * memory limit. Compose's `$` interpolation is applied first, as Compose does.
 */
export function readCompose(file: string, text: string, shellEnv: Record<string, string | undefined>): Imported {
  const root = dirname(file);
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    const line = text.slice(0, error.pos[0]).split('\n').length;
    throw new ImportError(`${file}:${line}: ${error.message.split('\n')[0]}`);
  }
  const raw = doc.toJS() as { services?: Record<string, Entry> } | null;
  if (!raw || typeof raw.services !== 'object' || raw.services === null) throw new ImportError(`${file}: no services: not a Compose file`);
  const dotenv = join(root, '.env');
  const env = { ...(existsSync(dotenv) ? parseEnv(readSource(dotenv)) : {}), ...shellEnv };
  const used = new Set<string>();
  const notCarried: string[] = [];
  const names = new ServiceNames(notCarried);
  const origin = new Map<string, string>();
  const services: DeployedService[] = [];
  const nameOf = new Map<string, string>();
  for (const [key, value] of Object.entries(raw.services)) {
    const where = `services.${key}`;
    const s = interpolated(value ?? {}, env, where, used) as Entry;
    const argv = [...wordsOf(s.entrypoint, `${where}.entrypoint`), ...wordsOf(s.command, `${where}.command`)];
    if (argv.length === 0) {
      notCarried.push(`${where}: no command or entrypoint (it runs its image's own${s.image ? `, ${s.image}` : ''}): not imported`);
      continue;
    }
    const build = typeof s.build === 'string' ? s.build : (s.build as { context?: string } | undefined)?.context;
    const context = build === undefined ? root : resolve(root, build);
    // zmart's own export puts the fleet at /app of an image built from its folder: read that back
    const dir = typeof s.working_dir === 'string' ? s.working_dir : CONTAINER_ROOT;
    const inside = build !== undefined && (dir === CONTAINER_ROOT || dir.startsWith(`${CONTAINER_ROOT}/`));
    const cwd = inside ? resolve(context, posix.relative(CONTAINER_ROOT, dir)) : context;
    if (s.working_dir !== undefined && !inside) notCarried.push(`${where}.working_dir: ${s.working_dir} is a folder in the container: it runs in ${cwd}`);
    const name = names.name(key, where);
    nameOf.set(key, name);
    origin.set(name, `${where} in ${basename(file)}`);
    const service = newService(name, argv, cwd);
    if (typeof s.image === 'string') service.image = s.image;
    readEnvironment(s, service, root, where, notCarried);
    readPorts(s, service, where, notCarried);
    readChecks(s, service, where, notCarried);
    restartOf(s.restart, service, where);
    if (s.restart === undefined) notCarried.push(`${where}.restart: not set: Compose never restarts it, so neither does zmart (restart.policy never)`);
    if (s.stop_signal !== undefined) {
      const signal = `SIG${String(s.stop_signal).toUpperCase().replace(/^SIG/, '')}`;
      if (!(STOP_SIGNALS as readonly string[]).includes(signal)) throw new ImportError(`${where}.stop_signal: ${s.stop_signal}: not a signal zmart knows`);
      service.stop.signal = signal as NodeJS.Signals;
    }
    if (s.stop_grace_period !== undefined) service.stop.timeoutMs = goDurationMs(s.stop_grace_period, `${where}.stop_grace_period`);
    // Docker signals only the container's PID 1: zmart's stop.mode main
    service.stop.mode = 'main';
    const memory = s.mem_limit ?? (s.deploy as { resources?: { limits?: { memory?: unknown } } } | undefined)?.resources?.limits?.memory;
    if (memory !== undefined) service.memoryMaxBytes = dockerBytes(memory, `${where}.mem_limit`);
    if (typeof s.user === 'string') [service.user, service.group = null] = s.user.split(':') as [string, string?];
    const replicas = (s.deploy as { replicas?: number } | undefined)?.replicas ?? (typeof s.scale === 'number' ? s.scale : undefined);
    if (replicas !== undefined && replicas > 1) {
      service.replicas = Math.min(64, replicas);
      if (service.port !== null)
        notCarried.push(`${where}.deploy.replicas ${replicas}: each replica gets PORT ${service.port} + i - 1 (or set socket: true for one shared port)`);
    }
    for (const k of Object.keys(s)) if (!READ.has(k)) notCarried.push(`${where}.${k}: zmart has no such setting`);
    service.dependsOn = dependsOn(s.depends_on, where, notCarried);
    services.push(service);
  }
  for (const service of services) {
    service.dependsOn = Object.fromEntries(
      Object.entries(service.dependsOn).flatMap(([dep, condition]) => {
        const name = nameOf.get(dep);
        if (name === undefined) notCarried.push(`services.${service.name}.depends_on.${dep}: ${dep} was not imported: the dependency is dropped`);
        return name === undefined ? [] : [[name, condition]];
      }),
    );
  }
  unrewriteHosts(services, notCarried);
  if (services.length === 0) throw new ImportError(`${file}: no service with a command or entrypoint: nothing zmart can run`);
  for (const name of used) notCarried.push(`\${${name}}: read from this shell (and .env) now, where Compose reads it at each up`);
  if (services.some((s) => s.image !== null)) notCarried.push('image: kept for zmart export; zmart runs each command on this machine, not in the image');
  return { format: 'compose', fleet: { name: basename(root), root, source: file, services, plugins: [] }, notCarried, origin };
}

function readEnvironment(s: Entry, service: DeployedService, root: string, where: string, notCarried: string[]): void {
  const env: Record<string, string> = {};
  if (Array.isArray(s.environment)) {
    for (const item of s.environment.map(String)) {
      const eq = item.indexOf('=');
      if (eq < 0) notCarried.push(`${where}.environment.${item}: taken from the deploying shell by Compose: set it in env`);
      else env[item.slice(0, eq)] = item.slice(eq + 1);
    }
  } else if (s.environment && typeof s.environment === 'object') {
    for (const [k, v] of Object.entries(s.environment)) {
      if (v === null || v === undefined) notCarried.push(`${where}.environment.${k}: taken from the deploying shell by Compose: set it in env`);
      else env[k] = String(v);
    }
  }
  const files = s.env_file === undefined ? [] : [s.env_file].flat();
  service.envFiles = files.map((f) => resolve(root, typeof f === 'string' ? f : String((f as { path?: unknown }).path)));
  service.env = splitSecrets(env);
}

function readPorts(s: Entry, service: DeployedService, where: string, notCarried: string[]): void {
  const ports = Array.isArray(s.ports) ? s.ports : [];
  const first = ports.length > 0 ? containerPort(ports[0]) : null;
  if (ports.length > 0 && first === null) notCarried.push(`${where}.ports: ${JSON.stringify(ports[0])}: a range has no zmart form`);
  if (ports.length > 1) notCarried.push(`${where}.ports: only the first (${first}) is the service's port`);
  service.port = first;
  // zmart gives PORT from `port`
  if (first !== null && service.env.plain.PORT === String(first)) delete service.env.plain.PORT;
}

function readChecks(s: Entry, service: DeployedService, where: string, notCarried: string[]): void {
  const check = s.healthcheck as Entry | undefined;
  if (!check || check.disable === true || check.test === undefined) return;
  const probe = probeOf(check.test, `${where}.healthcheck.test`);
  if (!probe) return;
  probe.intervalMs = check.interval === undefined ? 30_000 : goDurationMs(check.interval, `${where}.healthcheck.interval`);
  probe.timeoutMs = check.timeout === undefined ? 30_000 : goDurationMs(check.timeout, `${where}.healthcheck.timeout`);
  probe.failureThreshold = check.retries === undefined ? 3 : Number(check.retries);
  probe.startPeriodMs = check.start_period === undefined ? 0 : goDurationMs(check.start_period, `${where}.healthcheck.start_period`);
  probe.slow = null;
  service.health = probe;
  notCarried.push(`${where}.healthcheck: zmart restarts the service after ${probe.failureThreshold} failed checks; Compose only marks it unhealthy`);
}

function dependsOn(value: unknown, where: string, notCarried: string[]): DeployedService['dependsOn'] {
  if (Array.isArray(value)) return Object.fromEntries(value.map((d) => [String(d), 'started' as const]));
  if (!value || typeof value !== 'object') return {};
  return Object.fromEntries(
    Object.entries(value as Record<string, { condition?: string } | null>).map(([dep, spec]) => {
      const condition = spec?.condition ?? 'service_started';
      if (condition === 'service_completed_successfully') notCarried.push(`${where}.depends_on.${dep}: waits for ${dep} to start, not to finish`);
      return [dep, condition === 'service_healthy' ? 'healthy' : 'started'];
    }),
  );
}

/** zmart's export writes another service's loopback address as its name (`http://api:8000`): back to 127.0.0.1. */
function unrewriteHosts(services: DeployedService[], notCarried: string[]): void {
  const byHost = new Map(services.filter((s) => s.port !== null).map((s) => [`${s.name}:${s.port}`, s.port!]));
  for (const s of services) {
    for (const [name, value] of Object.entries(s.env.plain)) {
      const local = value.replace(/\b([A-Za-z0-9][A-Za-z0-9_.-]*):(\d+)\b/g, (whole) => (byHost.has(whole) ? `127.0.0.1:${byHost.get(whole)}` : whole));
      if (local !== value) {
        s.env.plain[name] = local;
        notCarried.push(`services.${s.name}.environment.${name}: ${value} names another service: now ${local}`);
      }
    }
  }
}
