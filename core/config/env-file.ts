import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Reads a service's env files in order (relative to its cwd) with Node's own `util.parseEnv`,
 * expanding `${VAR}` and `${VAR:-default}` from zmart's environment and the lines read before;
 * a later file wins over an earlier one. Returns the variables, or the problem with a file.
 */
export function readEnvFiles(
  files: readonly string[],
  cwd: string,
  processEnv: Record<string, string | undefined>,
): { env: Record<string, string> } | { problem: string } {
  const env: Record<string, string> = {};
  for (const file of files) {
    const path = resolve(cwd, file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return { problem: `${path} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`}` };
    }
    for (const [name, raw] of Object.entries(parseEnv(text))) {
      env[name] = (raw ?? '').replace(REFERENCE, (_, ref: string, fallback: string | undefined) => {
        const value = Object.hasOwn(env, ref) ? env[ref] : processEnv[ref];
        return value === undefined || value === '' ? (fallback ?? '') : value;
      });
    }
  }
  return { env };
}
