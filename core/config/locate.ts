import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { lilconfig } from 'lilconfig';
import { ZmartError } from '../errors.js';

export const CONFIG_NAMES = ['zmart.config.ts', 'zmart.config.mts', 'zmart.config.js', 'zmart.config.mjs'];

export interface LocateOptions {
  /** `--config PATH`, taken over ZMART_CONFIG and the upward search. */
  configPath?: string;
  cwd?: string;
  env?: Record<string, string | undefined>;
}

/**
 * The config file: `--config`, else ZMART_CONFIG, else zmart.config.* searched upward from
 * cwd. Only finds it (lilconfig, no loader): cheap enough for `zmart status`.
 */
export async function findConfigFile(options: LocateOptions = {}): Promise<string> {
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
    throw new ZmartError('ZMART_CONFIG_NOT_FOUND', `no ${CONFIG_NAMES.join(', ')} in ${cwd} or any folder above it (run 'zmart init', or pass --config PATH)`);
  }
  return found.filepath;
}
