import { relative } from 'node:path';
import type { DeployedFleet, DeployedService } from '../fleet-model/model.js';

/** A file or object name piece: lower case letters, digits and dashes (DNS-1123 as Kubernetes wants). */
export const slug = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '') || 'fleet';

/** Text on one line: each control character (a newline among them) becomes a space. */
export const oneLine = (text: string): string => [...text].map((ch) => (ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f ? ' ' : ch)).join('');

/** Where the fleet's folder sits in an image built from it (compose's default build, `--image`). */
export const CONTAINER_ROOT = '/app';

/** `127.0.0.1:8000`, `localhost:8000`, `[::1]:8000` in a value. */
const LOOPBACK = /(?:\b(?:127\.0\.0\.1|localhost)|\[::1\]):(\d+)\b/g;

/**
 * The service's variables for a container target: a loopback address with another service's
 * port (`http://127.0.0.1:8000` for the API) becomes that service's host name in the target
 * (`http://api:8000`), said in `rewritten`.
 */
export function containerEnv(
  s: DeployedService,
  hostOfPort: Map<number, string>,
): { plain: Record<string, string>; secret: Record<string, string>; rewritten: string[] } {
  const rewritten: string[] = [];
  const rewrite = (values: Record<string, string>, secret: boolean) =>
    Object.fromEntries(
      Object.entries(values).map(([name, value]) => {
        const carried = value.replace(LOOPBACK, (whole, port: string) => {
          const host = hostOfPort.get(Number(port));
          return host === undefined || Number(port) === s.port ? whole : `${host}:${port}`;
        });
        if (carried !== value) {
          rewritten.push(
            `services.${s.name}.env.${name}: ${secret ? 'its loopback address' : value} points at another service: now ${secret ? "that service's name" : carried}`,
          );
        }
        return [name, carried];
      }),
    );
  return { plain: rewrite(s.env.plain, false), secret: rewrite(s.env.secret, true), rewritten };
}

/** Each port of the fleet, and the name the target reaches its service by. */
export function hostsByPort(fleet: DeployedFleet, nameOf: (service: string) => string): Map<number, string> {
  return new Map(fleet.services.flatMap((s) => (s.port === null ? [] : [[s.port, nameOf(s.name)] as [number, string]])));
}

/** The service's folder inside an image of the whole fleet: /app, /app/backend. */
export function containerDir(fleet: DeployedFleet, s: DeployedService): string {
  const rel = relative(fleet.root, s.cwd).split('\\').join('/');
  return rel === '' ? CONTAINER_ROOT : rel.startsWith('..') ? s.cwd : `${CONTAINER_ROOT}/${rel}`;
}

/** The command as argv: strings run through /bin/sh -c, as zmart runs them. */
export const argvOf = (s: DeployedService): string[] => (Array.isArray(s.command) ? s.command : ['/bin/sh', '-c', s.command]);

/**
 * A literal for a target that expands `$` itself: Compose interpolates `$VAR`, `${VAR}` from the
 * deploying shell (and refuses `$5`), the kubelet expands `$(VAR)` in command and args; both read
 * `$$` as one `$`. So every `$` is doubled.
 */
export const dollarsKept = (text: string): string => text.replaceAll('$', '$$$$');

/** What every target loses of the fleet, whatever it is. */
export function commonLosses(fleet: DeployedFleet, target: string): string[] {
  const losses: string[] = [];
  for (const s of fleet.services) {
    if (s.venv) losses.push(`services.${s.name}.venv: the image must hold the Python environment (the virtualenv is a folder of this machine)`);
    if (s.restart.cron) losses.push(`services.${s.name}.restart.cron: ${target} has no scheduled restart (a cron job that restarts it)`);
    if (s.watch) losses.push(`services.${s.name}.watch: no restart on file changes in ${target}`);
    if (s.readyLogLine !== null) losses.push(`services.${s.name}.ready.logLine: ${target} cannot read the output for a ready line`);
    if (s.socket)
      losses.push(`services.${s.name}.socket: ${target} hands over no listening socket: a restart refuses connections while the new process starts`);
    for (const key of s.zmartOnly.filter((k) => k !== 'health.slow')) losses.push(`services.${s.name}.${key}: a plugin's check with no ${target} form`);
  }
  const slow = fleet.services.filter((s) => s.zmartOnly.includes('health.slow')).map((s) => s.name);
  if (slow.length > 0) losses.push(`services ${slow.join(', ')}: the restart of a slow service (health-http's slow) has no ${target} form`);
  if (fleet.plugins.length > 0) losses.push(`plugins ${fleet.plugins.join(', ')}: no ${target} form (alerts, port checks and log rotation stay with zmart)`);
  return losses;
}
