import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { ConfigError } from '../errors.js';
import { zmartHome } from '../daemon/registry.js';
import { packageRoot } from '../package-root.js';
import type { PluginInstance } from '../plugin.js';
import { findConfigFile, type LocateOptions } from './locate.js';
import { resolveConfig } from './resolve.js';
import type { ResolvedConfig } from './types.js';

export { findConfigFile } from './locate.js';

/**
 * `zmart` and `zmart/plugins/*` in a config map to this running zmart, wherever the config
 * lives: its sources when zmart runs from them (tests); the library bundled beside the
 * command (dist/bin/lib/) when it runs bundled, so that config and supervisor share one
 * copy of core and zod; else tsc's output in dist/.
 */
function aliases(): Record<string, string> {
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

async function importConfig(file: string): Promise<unknown> {
  // The transpiled config is cached per user (content-hashed by jiti): the daemon then loads
  // what `zmart start` already transpiled, without jiti's compiler (~30 MB of memory, 200 ms).
  // require(), not import: jiti is CommonJS, and importing it from an ES module costs ~6 MB
  // more resident memory (Node parses its 190 KB for named exports), for the daemon's life.
  const require = createRequire(import.meta.url);
  const { createJiti } = require('jiti') as typeof import('jiti');
  const jiti = createJiti(import.meta.url, { alias: aliases(), moduleCache: false, fsCache: cacheDir(), tryNative: false });
  let module: Record<string, unknown>;
  try {
    module = (await jiti.import(file)) as Record<string, unknown>;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigError(file, [{ path: '', message: `cannot load: ${message.split('\n').slice(0, 6).join('\n    ')}` }]);
  } finally {
    // The config does not hold on to jiti: out of Node's module cache, its ~1 MB of code
    // and source is collected instead of living as long as the supervisor. A reload
    // requires it again.
    const jitiDir = dirname(require.resolve('jiti/package.json'));
    for (const path of Object.keys(require.cache)) if (path.startsWith(jitiDir + sep)) delete require.cache[path];
  }
  if (!module || !('default' in module) || module.default === undefined) {
    throw new ConfigError(file, [{ path: '', message: 'expected an object as the default export (export default defineConfig({ services: {...} }))' }]);
  }
  return await module.default; // a promise of a config is waited for (within the limit)
}
