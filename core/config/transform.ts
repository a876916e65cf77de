import { builtinModules, createRequire } from 'node:module';
import type { Jiti, TransformOptions, TransformResult } from 'jiti';

/**
 * The compiler jiti runs on a config (and on the TypeScript files it imports): sucrase, which
 * only strips types and rewrites imports. jiti's own compiler is babel: loading it is ~165 ms
 * of a cold `zmart start` and transforming a config ~90 ms more, where sucrase loads in ~55 ms
 * and transforms in ~9 (bench/RESULTS.md, "cold start"). Both come in through jiti's public
 * `transform` option and its instance's `transform`.
 *
 * sucrase turns imports into require() calls, which jiti answers synchronously, where babel's
 * output awaits jiti's import. So sucrase's output is kept only when every module it asks for
 * is zmart's (`zmart`, `zmart/plugins/*`: the loader's virtual modules, the running copy) or
 * Node's own: then the two load alike. A file that imports anything else (its own helpers, a
 * package) goes to babel, as before: imported synchronously, an ES module package would be
 * transpiled instead of loaded natively, and a helper with a top-level await would not load.
 *
 * babel also takes `import.meta` (which it rewrites to the file's own URL and folder, and which
 * a CommonJS wrapper cannot hold), JSX, and any source sucrase refuses; for a source with a
 * syntax error, babel's message (with its line and column) is the one the user reads.
 */
export function configTransform(babel: () => Jiti): (options: TransformOptions) => TransformResult {
  let sucrase: typeof import('sucrase').transform | undefined; // loaded on the first miss of jiti's cache
  return (options) => {
    if (!options.jsx && !options.source.includes('import.meta')) {
      try {
        sucrase ??= (createRequire(import.meta.url)('sucrase') as typeof import('sucrase')).transform;
        const { code } = sucrase(options.source, {
          transforms: options.ts ? ['typescript', 'imports'] : ['imports'],
          filePath: options.filename,
          // Node 20 runs today's syntax as written: no helpers for ?., ?? or class fields
          disableESTransforms: true,
        });
        if (asksOnlyZmartOrNode(code)) return { code };
      } catch {
        // babel says what is wrong, or takes what sucrase cannot
      }
    }
    return { code: babel().transform(options) };
  };
}

const NODE_MODULES = new Set(builtinModules);

/** Whether every require() in sucrase's output names zmart or a Node module literally (any other, or a computed one: no). */
function asksOnlyZmartOrNode(code: string): boolean {
  const calls = code.match(/\brequire\s*\(/g)?.length ?? 0;
  const named = [...code.matchAll(/\brequire\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g)].map((m) => m[2]!);
  return named.length === calls && named.every((name) => name === 'zmart' || name.startsWith('zmart/') || name.startsWith('node:') || NODE_MODULES.has(name));
}
