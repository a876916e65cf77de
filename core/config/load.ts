import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lilconfig } from 'lilconfig';
import { createJiti } from 'jiti';
import { ConfigError, ZmartError } from '../errors.js';
import type { PluginInstance } from '../plugin.js';
import { resolveConfig } from './resolve.js';
import type { ResolvedConfig } from './types.js';

export const CONFIG_NAMES = ['zmart.config.ts', 'zmart.config.mts', 'zmart.config.js', 'zmart.config.mjs'];

const here = dirname(fileURLToPath(import.meta.url));
const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
/** `zmart` and `zmart/plugins/*` in a config map to this running zmart, wherever the config lives. */
const ALIASES = {
  'zmart/plugins': resolve(here, '../../plugins'),
  'zmart/testing': resolve(here, `../testing/index${ext}`),
  zmart: resolve(here, `../index${ext}`),
};

export interface LoadOptions {
  /** `--config PATH`, taken over ZMART_CONFIG and the upward search. */
  configPath?: string;
  cwd?: string;
  env?: Record<string, string | undefined>;
  builtins?: () => PluginInstance[];
}

/** The config file: `--config`, else ZMART_CONFIG, else zmart.config.* searched upward from cwd. */
export async function findConfigFile(options: LoadOptions = {}): Promise<string> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const explicit = options.configPath ?? env.ZMART_CONFIG;
  if (explicit) {
    const file = resolve(cwd, explicit);
    if (!existsSync(file)) {
      const source = options.configPath ? '--config' : 'ZMART_CONFIG';
      throw new ZmartError('ZMART_CONFIG_NOT_FOUND', `config file ${file} (from ${source}) does not exist`);
    }
    return file;
  }
  const found = await lilconfig('zmart', {
    searchPlaces: CONFIG_NAMES,
    stopDir: '/',
    loaders: { '.ts': () => null, '.mts': () => null, '.js': () => null, '.mjs': () => null },
  }).search(cwd);
  if (!found) {
    throw new ZmartError(
      'ZMART_CONFIG_NOT_FOUND',
      `no ${CONFIG_NAMES.join(', ')} in ${cwd} or any folder above it (run 'zmart init', or pass --config PATH)`,
    );
  }
  return found.filepath;
}

/** Finds, imports (TypeScript through jiti) and validates the config. Throws ZmartError (exit 2). */
export async function loadConfig(options: LoadOptions = {}): Promise<ResolvedConfig> {
  const file = await findConfigFile(options);
  const raw = await importConfig(file);
  return resolveConfig(raw, { file, env: options.env, builtins: options.builtins });
}

async function importConfig(file: string): Promise<unknown> {
  const jiti = createJiti(import.meta.url, { alias: ALIASES, moduleCache: false, fsCache: false, tryNative: false });
  let module: Record<string, unknown>;
  try {
    module = (await jiti.import(file)) as Record<string, unknown>;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigError(file, [{ path: '', message: `cannot load: ${message.split('\n').slice(0, 6).join('\n    ')}` }]);
  }
  if (!module || !('default' in module) || module.default === undefined) {
    throw new ConfigError(file, [
      { path: '', message: 'expected an object as the default export (export default defineConfig({ services: {...} }))' },
    ]);
  }
  return module.default;
}
