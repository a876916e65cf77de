// The installed `zmart` command (bundled as CommonJS into dist/bin/zmart.cjs). It answers
// `zmart status` itself, the command operators run most and from scripts in loops: a
// CommonJS file skips Node's ES module loader (~5 ms) and the chunks of the full CLI
// (~4 ms). Anything else, and any status invocation util.parseArgs does not take as is
// (--help, a typo), goes to the full CLI (dist/bin/zmart.js), whose commander parser
// answers it; both paths run the same status(). `zmart start` launches its supervisor here,
// before the full CLI loads.
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

async function fastStatus(argv: string[]): Promise<number | null> {
  if (argv[0] !== 'status') return null;
  let values: ReturnType<typeof parseArgs>['values'];
  try {
    ({ values } = parseArgs({
      args: argv.slice(1),
      options: {
        config: { type: 'string', short: 'c' },
        detailed: { type: 'boolean', short: 'd' },
        all: { type: 'boolean', short: 'a' },
        resources: { type: 'boolean', short: 'r' },
        json: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch {
    return null; // the full CLI says what is wrong, as it does for every command
  }
  const [{ status }, { createOutput }, { reportError }] = await Promise.all([
    import('./commands/status.js'),
    import('./output.js'),
    import('./report-error.js'),
  ]);
  const out = createOutput();
  try {
    return await status(values, out);
  } catch (error) {
    return reportError(error, out);
  }
}

async function fullCli(argv: string[]): Promise<void> {
  // `zmart start` launches its supervisor now, before the full CLI loads (cli/early-start.ts)
  const handoff = argv[0] === 'start' ? await (await import('./early-start.js')).launchBeforeCli(argv) : undefined;
  // __dirname: this file runs only as the CommonJS bundle, beside zmart.js.
  const cli = (await import(pathToFileURL(join(__dirname, 'zmart.js')).href)) as typeof import('./main.js');
  cli.run(argv, handoff);
}

const argv = process.argv.slice(2);
void fastStatus(argv).then((code) => {
  if (code !== null) process.exitCode = code;
  else void fullCli(argv);
});
