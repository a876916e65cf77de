// Bundles the `zmart` command into dist/bin/: one small entry plus lazily loaded chunks, so
// that `zmart status` reads a handful of files instead of ~40 modules (about 30 ms less per
// call). The library a config imports (`zmart`, `zmart/plugins/*`) is bundled in the same
// build, as entries of their own (dist/bin/lib/), so the supervisor and its config share one
// copy of core and of zod, each module loaded once: every ES module Node loads costs ~70 KB
// of resident memory (zod alone is 106 files: 12 MB unbundled, 4 MB bundled). tsc's output
// in dist/ stays the package's public entry for other tools (and `zmart/testing`).
// jiti stays external, and sucrase (required at run time, core/config/transform.ts): both load
// only when a config must be transpiled.
import { build } from 'esbuild';
import { chmodSync, readdirSync, rmSync } from 'node:fs';

const plugins = Object.fromEntries(readdirSync('plugins').map((name) => [`lib/plugins/${name}/index`, `plugins/${name}/index.ts`]));

rmSync('dist/bin', { recursive: true, force: true });
await build({
  entryPoints: { zmart: 'cli/main.ts', daemon: 'cli/daemon-main.ts', 'lib/index': 'core/index.ts', ...plugins },
  outdir: 'dist/bin',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // react-devtools-core: ink imports it only when DEV=true, and it is not installed.
  external: ['jiti', 'react-devtools-core'],
  // Less source to hold in memory; names stay, so stack traces still read.
  minifyWhitespace: true,
  minifySyntax: true,
  // CommonJS packages bundled into ESM still call require() for Node built-ins.
  banner: { js: "import { createRequire as __zmartRequire } from 'node:module'; const require = __zmartRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
});

// The installed command: a CommonJS file that answers `zmart status` alone and hands every
// other command to zmart.js (see cli/bin.ts).
await build({
  entryPoints: ['cli/bin.ts'],
  outfile: 'dist/bin/zmart.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // react-devtools-core: ink imports it only when DEV=true, and it is not installed.
  external: ['jiti', 'react-devtools-core'],
  minifyWhitespace: true,
  minifySyntax: true,
  // import.meta.url (zmart's package root is found from it) as this file's URL.
  define: { 'import.meta.url': '__zmartFileUrl' },
  banner: { js: "#!/usr/bin/env node\nconst __zmartFileUrl = require('node:url').pathToFileURL(__filename).href;" },
  legalComments: 'none',
  logLevel: 'warning',
});
chmodSync('dist/bin/zmart.cjs', 0o755);
