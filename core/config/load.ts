import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { zmartHome } from '../daemon/registry.js';
import { packageRoot } from '../package-root.js';
import type { PluginInstance } from '../plugin.js';
import { findConfigFile, type LocateOptions } from './locate.js';
import { resolveConfig } from './resolve.js';
import { configTransform } from './transform.js';
import type { ResolvedConfig } from './types.js';

export { findConfigFile } from './locate.js';

type Aliases = Record<'zmart' | 'zmart/testing' | 'zmart/plugins', string>;

/**
 * `zmart` and `zmart/plugins/*` in a config map to this running zmart, wherever the config
 * lives: its sources when zmart runs from them (tests); the library bundled beside the
 * command (dist/bin/lib/) when it runs bundled, so that config and supervisor share one
 * copy of core and zod; else tsc's output in dist/.
 */
function aliases(): Aliases {
  const fromSource = import.meta.url.endsWith('.ts');
  const { root } = packageRoot(import.meta.url);
  if (!fromSource && import.meta.url.includes('/dist/bin/')) {
    const lib = join(root, 'dist/bin/lib');
    return { 'zmart/plugins': join(lib, 'plugins'), 'zmart/testing': join(root, 'dist/core/testing/index.js'), zmart: join(lib, 'index.js') };
  }
  const base = fromSource ? root : join(root, 'dist');
  const ext = fromSource ? '.ts' : '.js';
  return {
    'zmart/plugins': join(base, 'plugins'),
    'zmart/testing': join(base, `core/testing/index${ext}`),
    zmart: join(base, `core/index${ext}`),
  };
}

export interface LoadOptions extends LocateOptions {
  builtins?: () => PluginInstance[];
}

/** Finds, imports (TypeScript through jiti) and validates the config. Throws ZmartError (exit 2). */
export async function loadConfig(options: LoadOptions = {}): Promise<ResolvedConfig> {
  const file = await findConfigFile(options);
  const raw = await withinLimit(file, importConfig(file), loadLimitMs(options.env ?? process.env));
  return resolveConfig(raw, { file, env: options.env, builtins: options.builtins });
}

/** How long a config may take to load (its top-level awaits, a default export that is a promise): ZMART_CONFIG_TIMEOUT seconds, 10 by default. */
export function loadLimitMs(env: Record<string, string | undefined>): number {
  const seconds = Number(env.ZMART_CONFIG_TIMEOUT);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 10_000;
}

/** A config that never finishes loading is a config error, not a hang (nor a silent exit 0). */
async function withinLimit<T>(file: string, loading: Promise<T>, limitMs: number): Promise<Awaited<T>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ConfigError(file, [
            { path: '', message: `config did not finish loading within ${limitMs / 1000} s (a top-level await or a promise that never settles?)` },
          ]),
        ),
      limitMs,
    );
  });
  try {
    return await Promise.race([loading.then(async (value) => await value), late]);
  } finally {
    clearTimeout(timer);
  }
}

function cacheDir(): string | false {
  const dir = join(zmartHome(), 'cache', 'jiti');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  } catch {
    return false; // not writable: transpile every time
  }
}

/**
 * Loads jiti's own code ahead of a config load (the supervisor does, while it waits for
 * `zmart start`'s word): ~25 ms off the path from that word to the first service.
 */
export function preloadConfigLoader(): void {
  createRequire(import.meta.url)('jiti');
}

/**
 * What a config imports of zmart, as the modules this process runs (sucrase's require() asks
 * jiti synchronously, and jiti would otherwise transpile zmart's ES modules into a second
 * copy): each loaded natively (require of an ES module, Node 20.19+) when first asked for.
 * None when zmart runs from its TypeScript sources (tests): jiti transpiles those, as before.
 */
function libraryModules(paths: Aliases): Record<string, unknown> | undefined {
  if (import.meta.url.endsWith('.ts')) return undefined;
  const require = createRequire(import.meta.url);
  const modules: Record<string, unknown> = {};
  const lazy = (name: string, file: string) => Object.defineProperty(modules, name, { enumerable: true, get: () => require(file) });
  lazy('zmart', paths.zmart);
  lazy('zmart/testing', paths['zmart/testing']);
  const plugins = paths['zmart/plugins'];
  for (const name of readdirSync(plugins)) lazy(`zmart/plugins/${name}`, join(plugins, name, 'index.js'));
  return modules;
}

/**
 * The config does not hold on to its loader: out of Node's module cache, jiti's and its
 * compilers' code (~1 MB, and babel's 1.5 MB when it ran) is collected instead of living as
 * long as the supervisor (which requires jiti ahead, while it waits: preloadConfigLoader). A
 * reload requires them again. What goes is jiti, sucrase and every module below them, however
 * they came into the cache: a later require() of one of them loads it afresh.
 */
function forgetLoader(require: NodeJS.Require): void {
  const stack: NodeJS.Module[] = [];
  for (const name of ['jiti', 'sucrase']) {
    const loaded = require.cache[require.resolve(name)];
    if (loaded) stack.push(loaded);
  }
  const seen = new Set<string>();
  for (let module = stack.pop(); module; module = stack.pop()) {
    if (seen.has(module.id)) continue;
    seen.add(module.id);
    stack.push(...module.children);
  }
  for (const id of seen) delete require.cache[id];
}

async function importConfig(file: string): Promise<unknown> {
  // The transpiled config is cached per user (content-hashed by jiti): the daemon then loads
  // what `zmart start` already transpiled, without a compiler.
  // require(), not import: jiti is CommonJS, and importing it from an ES module costs ~6 MB
  // more resident memory (Node parses its 190 KB for named exports), for the daemon's life.
  const require = createRequire(import.meta.url);
  const { createJiti } = require('jiti') as typeof import('jiti');
  let babel: ReturnType<typeof createJiti> | undefined;
  const paths = aliases(); // reads zmart's package.json: once per load
  const jiti = createJiti(import.meta.url, {
    alias: paths,
    virtualModules: libraryModules(paths),
    transform: configTransform(() => (babel ??= createJiti(import.meta.url, { fsCache: false, moduleCache: false }))),
    moduleCache: false,
    fsCache: cacheDir(),
    tryNative: false,
  });
  let module: Record<string, unknown>;
  try {
    module = (await jiti.import(file)) as Record<string, unknown>;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigError(file, [{ path: '', message: `cannot load: ${message.split('\n').slice(0, 6).join('\n    ')}` }]);
  } finally {
    forgetLoader(require);
  }
  if (!module || !('default' in module) || module.default === undefined) {
    throw new ConfigError(file, [{ path: '', message: 'expected an object as the default export (export default defineConfig({ services: {...} }))' }]);
  }
  return await module.default; // a promise of a config is waited for (within the limit)
}
