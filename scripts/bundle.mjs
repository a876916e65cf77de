// Bundles the `zmart` command into dist/bin/: one small entry plus lazily loaded chunks, so
// that `zmart status` reads a handful of files instead of ~40 modules (about 30 ms less per
// call). The library (`zmart`, `zmart/plugins/*`, `zmart/testing`) stays the tsc output in
// dist/. zod and jiti stay external (a config's plugins and the CLI must share one zod),
// and undici too: it is imported lazily, and bundled CommonJS would hide its named exports.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync('dist/bin', { recursive: true, force: true });
await build({
  entryPoints: { zmart: 'cli/main.ts' },
  outdir: 'dist/bin',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['zod', 'jiti', 'undici'],
  // CommonJS packages bundled into ESM still call require() for Node built-ins.
  banner: { js: "import { createRequire as __zmartRequire } from 'node:module'; const require = __zmartRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
});
