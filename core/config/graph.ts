import type { ConfigIssue } from '../errors.js';
import type { DependencyCondition } from './types.js';

type Graph = Record<string, Record<string, DependencyCondition>>;

/** Issues for unknown targets, self-dependencies and cycles in `dependsOn`. */
export function checkDependencies(graph: Graph): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const [name, deps] of Object.entries(graph)) {
    for (const target of Object.keys(deps)) {
      if (target === name) issues.push({ path: `services.${name}.dependsOn.${target}`, message: 'a service cannot depend on itself' });
      else if (!(target in graph)) {
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
    for (const dep of Object.keys(graph[name] ?? {})) {
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
    for (const dep of Object.keys(graph[name] ?? {})) visit(dep);
    ordered.push(name);
  };
  for (const name of Object.keys(graph)) visit(name);
  return ordered;
}
