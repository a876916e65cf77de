import { createRequire } from 'node:module';
import type { Jiti, TransformOptions, TransformResult } from 'jiti';

/**
 * The compiler jiti runs on a config (and on the TypeScript files it imports): sucrase, which
 * only strips types and rewrites imports. jiti's own compiler is babel: loading it is ~165 ms
 * of a cold `zmart start` and transforming a config ~90 ms more, where sucrase loads in ~55 ms
 * and transforms in ~9 (bench/RESULTS.md, "cold start"). Both come in through jiti's public
 * `transform` option and its instance's `transform`.
 *
 * sucrase turns imports into require() calls that jiti answers synchronously, where babel's
 * output awaits jiti's import: `zmart` and `zmart/plugins/*` are then answered by the loader's
 * virtual modules (the running copy), not by transpiling zmart's library a second time.
 *
 * babel still takes what sucrase does not: `import.meta` (which babel rewrites to the file's
 * own URL and folder, and which a CommonJS wrapper cannot hold), JSX, and any source sucrase
 * refuses; for a source with a syntax error, babel's message (with its line and column) is
 * the one the user reads, as before.
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
        return { code };
      } catch {
        // babel says what is wrong, or takes what sucrase cannot
      }
    }
    return { code: babel().transform(options) };
  };
}
