import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of zmart's own package.json, found upward from a module of zmart: the same
 * from the sources, from tsc's dist/ and from the bundled dist/bin/.
 */
export function packageRoot(moduleUrl: string): { root: string; version: string } {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (let i = 0; i < 6; i += 1) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'zmart') return { root: dir, version: pkg.version ?? '0.0.0' };
    }
    dir = dirname(dir);
  }
  throw new Error(`zmart: cannot find zmart's package.json above ${fileURLToPath(moduleUrl)}`);
}
