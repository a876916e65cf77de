import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { readTextFile } from './text-file.js';

/** An env file larger than this is not one. */
const MAX_ENV_FILE_BYTES = 1024 * 1024;

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Reads a service's env files in order (relative to its cwd) with Node's own `util.parseEnv`,
 * expanding `${VAR}` and `${VAR:-default}` from zmart's environment and the lines above it (in
 * the file's order: parseEnv gives its names in an order of its own); a later file wins over an
 * earlier one. A file must be a regular text file of at most 1 MiB. Returns the variables, or
 * the problem with a file.
 */
export function readEnvFiles(
  files: readonly string[],
  cwd: string,
  processEnv: Record<string, string | undefined>,
): { env: Record<string, string> } | { problem: string } {
  const env: Record<string, string> = {};
  for (const file of files) {
    const path = resolve(cwd, file);
    const read = readTextFile(path, MAX_ENV_FILE_BYTES);
    if ('problem' in read) return { problem: `${path} ${read.problem}` };
    for (const [name, raw] of inFileOrder(read.text, parseEnv(read.text))) {
      env[name] = (raw ?? '').replace(REFERENCE, (_, ref: string, fallback: string | undefined) => {
        const value = Object.hasOwn(env, ref) ? env[ref] : processEnv[ref];
        return value === undefined || value === '' ? (fallback ?? '') : value;
      });
    }
  }
  return { env };
}

/** parseEnv's variables in the order the file assigns them (by each name's last `NAME=` line); one pass over the text. */
function inFileOrder(text: string, parsed: Record<string, string | undefined>): [string, string | undefined][] {
  const at = new Map<string, number>();
  for (const line of text.matchAll(/^[ \t]*(?:export[ \t]+)?([^\s=#]+)[ \t]*=/gm)) at.set(line[1]!, line.index);
  const position = (name: string) => at.get(name) ?? Number.POSITIVE_INFINITY;
  return Object.entries(parsed).sort(([a], [b]) => position(a) - position(b));
}
