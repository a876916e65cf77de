import type { ConfigIssue } from '../errors.js';
import type { DependencyCondition } from '../config/types.js';

type Graph = Record<string, Record<string, DependencyCondition>>;

/** Issues for unknown targets, self-dependencies and cycles in `dependsOn`. */
export function checkDependencies(graph: Graph): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const [name, deps] of Object.entries(graph)) {
    for (const target of Object.keys(deps)) {
      if (target === name) issues.push({ path: `services.${name}.dependsOn.${target}`, message: 'a service cannot depend on itself' });
      else if (!Object.hasOwn(graph, target)) {
        issues.push({
          path: `services.${name}.dependsOn.${target}`,
          message: `no service named '${target}' (known: ${Object.keys(graph).join(', ')})`,
        });
      }
    }
  }
  if (issues.length > 0) return issues;
  const cycle = findCycle(graph);
  if (cycle) issues.push({ path: `services.${cycle[0]}.dependsOn`, message: `dependency cycle: ${cycle.join(' -> ')}` });
  return issues;
}

function findCycle(graph: Graph): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | null => {
    if (state.get(name) === 'done') return null;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const dep of Object.keys(Object.hasOwn(graph, name) ? graph[name] : {})) {
      const found = visit(dep);
      if (found) return found;
    }
    stack.pop();
    state.set(name, 'done');
    return null;
  };
  for (const name of Object.keys(graph)) {
    const found = visit(name);
    if (found) return found;
  }
  return null;
}

/** Names in dependency order (dependencies first), stable in declaration order. Assumes no cycle. */
export function dependencyOrder(graph: Graph): string[] {
  const ordered: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const dep of Object.keys(Object.hasOwn(graph, name) ? graph[name] : {})) visit(dep);
    ordered.push(name);
  };
  for (const name of Object.keys(graph)) visit(name);
  return ordered;
}

/** The dependency lists of a fleet, by name, as status reports and run files carry them. */
export type DependencyLists = ReadonlyArray<{ name: string; dependsOn: readonly string[] }>;

/**
 * `names` and everything they depend on, transitively, in the fleet's own order. An unknown
 * name is reported through `unknown` (it throws or skips, as the caller decides).
 */
export function withDependencies(fleet: DependencyLists, names: readonly string[], unknown: (name: string) => void = () => undefined): string[] {
  const byName = new Map(fleet.map((s) => [s.name, s]));
  const wanted = new Set<string>();
  const add = (name: string) => {
    const service = byName.get(name);
    if (!service) return unknown(name);
    if (wanted.has(name)) return;
    wanted.add(name);
    service.dependsOn.forEach(add);
  };
  names.forEach(add);
  return fleet.map((s) => s.name).filter((n) => wanted.has(n));
}

/**
 * Runs `stopOne` on each of `targets`, each only after every target that depends on it has
 * finished (reverse dependency order, independent services in parallel).
 */
export async function inStopOrder(fleet: DependencyLists, targets: readonly string[], stopOne: (name: string) => Promise<void>): Promise<void> {
  const set = new Set(targets);
  // who depends on whom, among the targets, read once (a fleet of thousands: not once per service)
  const dependants = new Map<string, string[]>();
  for (const s of fleet) {
    if (!set.has(s.name)) continue;
    for (const dep of s.dependsOn) dependants.set(dep, [...(dependants.get(dep) ?? []), s.name]);
  }
  const done = new Map<string, Promise<void>>();
  const stop = (name: string): Promise<void> => {
    let promise = done.get(name);
    if (!promise) {
      promise = Promise.all((dependants.get(name) ?? []).map(stop)).then(() => stopOne(name));
      done.set(name, promise);
    }
    return promise;
  };
  const known = new Set(fleet.map((s) => s.name));
  await Promise.all(targets.filter((n) => known.has(n)).map(stop));
}
