// Issue 30, item 1: would a V8 startup snapshot (`node --build-snapshot`, Node 20's userland
// snapshots) shorten the supervisor's boot? The pure-JavaScript part of what it loads before it
// reads a config (jiti, sucrase, zod, tsyringe, reflect-metadata) is bundled into one CommonJS
// file with esbuild; that file is run as is, and from a snapshot built from it, alternated with
// `node -e 0`, ROUNDS times each (wall time until the process exits, median (min-max)). Then the
// same bundle with node:http added (the control socket's server and undici need it) is tried as a
// snapshot: Node 20 cannot build that one (see RESULTS.md).
// `node bench/startup-snapshot.mjs` (needs npm ci: esbuild, and the libraries).
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ROOT, tempDir } from './lib/util.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 20);
const dir = tempDir('zmart-snapshot-');
const LIBS = ['reflect-metadata', 'jiti', 'sucrase', 'zod', 'tsyringe'];

/** A bundle of the libraries (and node:http), run at once or, as a snapshot's entry, once deserialized. */
async function bundle(name, { snapshot, http = false }) {
  const modules = [...LIBS, ...(http ? ['node:http'] : [])];
  const entry = join(dir, `${name}.js`);
  const main = '() => process.stdout.write(String(loaded.length))';
  writeFileSync(
    entry,
    // literal require()s: esbuild bundles what it can see
    `const loaded = [${modules.map((m) => `require(${JSON.stringify(m)})`).join(', ')}];\nconst main = ${main};\n` +
      (snapshot ? `require('node:v8').startupSnapshot.setDeserializeMainFunction(main);\n` : 'main();\n'),
  );
  const outfile = join(dir, `${name}.cjs`);
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    logLevel: 'error',
    nodePaths: [join(ROOT, 'node_modules')],
  });
  return outfile;
}

function buildSnapshot(script, blob) {
  const r = spawnSync(process.execPath, ['--snapshot-blob', blob, '--build-snapshot', script], { encoding: 'utf8' });
  const error = r.stderr.split('\n').find((line) => /Error/.test(line));
  return r.status === 0 ? null : (error ?? `exit ${r.status}`);
}

const wall = (args) => {
  const t0 = performance.now();
  spawnSync(process.execPath, args, { stdio: 'ignore' });
  return performance.now() - t0;
};

try {
  const plain = await bundle('plain', { snapshot: false });
  const blob = join(dir, 'libs.blob');
  const failed = buildSnapshot(await bundle('snap', { snapshot: true }), blob);
  if (failed) throw new Error(`the snapshot of the libraries did not build: ${failed}`);
  const cases = { 'node -e 0': ['-e', '0'], 'the bundle, run as is': [plain], 'the bundle, from a startup snapshot': ['--snapshot-blob', blob] };
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let round = 0; round < ROUNDS; round += 1) for (const [name, args] of Object.entries(cases)) times[name].push(wall(args));
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`node ${process.version}, ${ROUNDS} alternated rounds, wall ms until exit: median (min-max)`);
  for (const [name, xs] of Object.entries(times))
    console.log(`${name.padEnd(40)} ${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`);
  const withHttp = buildSnapshot(await bundle('snap-http', { snapshot: true, http: true }), join(dir, 'http.blob'));
  console.log(`a snapshot with node:http as well: ${withHttp ? `does not build (${withHttp.trim()})` : 'builds'}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
