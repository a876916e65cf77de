/** Edit distance between two short words: insertions, deletions, substitutions and swaps of neighbours (`paht` is one from `path`). */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let before: number[] = [];
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= y.length; j += 1) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) row[j] = Math.min(row[j]!, before[j - 2]! + 1);
    }
    [before, previous] = [previous, row];
  }
  return previous[y.length]!;
}

/** The known word closest to `word`, when it is close enough to be what was meant (a typo, not another word). */
export function closest(word: string, known: readonly string[]): string | null {
  let best: { key: string; d: number } | null = null;
  for (const key of known) {
    const d = distance(word, key);
    if (!best || d < best.d) best = { key, d };
  }
  return best && best.d <= Math.max(1, Math.floor(Math.max(word.length, best.key.length) / 3)) ? best.key : null;
}

/** ` (did you mean 'api'?)` when a known word is close to `word`, else nothing: for messages about a name not known. */
export const meant = (word: string, known: readonly string[]): string => {
  const near = closest(word, known);
  return near ? `: did you mean '${near}'?` : '';
};

interface SchemaNode {
  _zod?: { def?: { shape?: Record<string, SchemaNode>; innerType?: SchemaNode; valueType?: SchemaNode; options?: SchemaNode[]; in?: SchemaNode } };
}

/** Past the wrappers (optional, default, prefault, a pipe's input) to the schema that holds the keys. */
function unwrap(node: SchemaNode | undefined): SchemaNode | undefined {
  let current = node;
  for (let i = 0; i < 10 && current?._zod?.def && (current._zod.def.innerType || current._zod.def.in); i += 1)
    current = current._zod.def.innerType ?? current._zod.def.in;
  return current;
}

/** The keys an object in the schema takes at `path` (a record's values, a union's objects included), or [] when it cannot tell. */
export function keysAt(schema: unknown, path: readonly PropertyKey[]): string[] {
  let nodes: SchemaNode[] = [schema as SchemaNode];
  for (const key of path) {
    nodes = nodes.flatMap((node) => {
      const def = unwrap(node)?._zod?.def;
      if (!def) return [];
      const options = def.options ?? [unwrap(node)!];
      return options.flatMap((option) => {
        const d = unwrap(option)?._zod?.def;
        if (d?.shape) return d.shape[String(key)] ? [d.shape[String(key)]!] : [];
        if (d?.valueType) return [d.valueType];
        return [];
      });
    });
  }
  const keys = nodes.flatMap((node) => {
    const def = unwrap(node)?._zod?.def;
    return (def?.options ?? [unwrap(node)!]).flatMap((option) => Object.keys(unwrap(option)?._zod?.def?.shape ?? {}));
  });
  return [...new Set(keys)];
}
