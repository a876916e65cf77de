import type { ConfigIssue } from '../errors.js';
import type { ResolvedService } from './types.js';

/** `web#2`: the name of a service's replica, the same in status, logs, pid files, metrics and the dashboard. */
export const replicaName = (group: string, index: number): string => `${group}#${index}`;

/**
 * A service with `replicas: N` (N > 1) as N services `name#1` … `name#N`: each with
 * ZMART_REPLICA (1..N), its own PORT (port + i - 1) unless zmart holds one socket for all
 * (`socket`), its own health, readiness, memory limit, restart budget and backoff. One replica
 * is the service as it was (N = 1 changes nothing).
 */
export function replicasOf(template: ResolvedService, count: number): ResolvedService[] {
  const { title, port } = template.base;
  const { ZMART_REPLICA: _, ...env } = template.env;
  if (count <= 1) return [{ ...template, name: template.group, title, port, env, replica: null }];
  return Array.from({ length: count }, (_, k) => ({
    ...template,
    name: replicaName(template.group, k + 1),
    title: `${title} #${k + 1}`,
    port: port === null || template.socket ? port : port + k,
    env: { ...env, ZMART_REPLICA: String(k + 1) },
    replica: { index: k + 1 },
  }));
}

/**
 * Every service's replicas, in place of the service, with dependencies on a replicated service
 * pointing at its first replica (the start order; at start a dependant waits for any one of
 * them: fleet/start-wait.ts `oneMeets`). Returns the problems too: ports of replicas that reach past 65535 or onto another
 * service's.
 */
export function expandReplicas(services: ResolvedService[], counts: Map<string, number>): { services: ResolvedService[]; issues: ConfigIssue[] } {
  const expanded = services.flatMap((s) => replicasOf(s, counts.get(s.name) ?? 1));
  const first = new Map([...counts].filter(([, n]) => n > 1).map(([name]) => [name, replicaName(name, 1)]));
  const issues: ConfigIssue[] = [];
  const ports = new Map<number, string>();
  for (const s of expanded) {
    s.dependsOn = Object.fromEntries(Object.entries(s.dependsOn).map(([dep, condition]) => [first.get(dep) ?? dep, condition]));
    if (s.port === null || (s.socket && s.replica && s.replica.index > 1)) continue;
    const owner = ports.get(s.port);
    if (s.port > 65535) issues.push({ path: `services.${s.group}.replicas`, message: `replica ${s.name} would listen on port ${s.port}, past 65535` });
    else if (owner && owner !== s.name)
      issues.push({ path: `services.${s.group}.replicas`, message: `replica ${s.name} would listen on port ${s.port}, which ${owner} uses` });
    ports.set(s.port, s.name);
  }
  return { services: expanded, issues };
}

/**
 * The config with `group` scaled to `count` replicas (`zmart scale`): its replicas made again
 * from the first, dependants pointing at the first replica (or at the service again at 1).
 * Applied as a reload: new replicas start, the highest-numbered stop, the others are untouched.
 */
export function scaledConfig<C extends { services: ResolvedService[] }>(config: C, group: string, count: number): C {
  const members = config.services.filter((s) => s.group === group);
  const template = members[0];
  if (!template) throw new Error(`no service named '${group}'`);
  const replaced = config.services.flatMap((s) => (s.group !== group ? [s] : s === template ? replicasOf(template, count) : []));
  const target = count > 1 ? replicaName(group, 1) : group;
  const pointing = new Set([group, ...members.map((m) => m.name)]);
  const services = replaced.map((s) =>
    s.group === group
      ? s
      : { ...s, dependsOn: Object.fromEntries(Object.entries(s.dependsOn).map(([dep, condition]) => [pointing.has(dep) ? target : dep, condition])) },
  );
  return { ...config, services };
}
