import { packageRoot } from '../core/package-root.js';

/** zmart's version, from its package.json. */
export function zmartVersion(): string {
  return packageRoot(import.meta.url).version;
}
