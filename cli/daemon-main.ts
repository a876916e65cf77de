// The supervisor process `zmart start` launches (bundled as dist/bin/daemon.js): an entry of
// its own, so that the process that lives as long as the fleet loads neither commander nor
// the other commands. Usage (internal): daemon.js --config PATH [SERVICE...]
import { parseArgs } from 'node:util';
import { ZmartError } from '../core/errors.js';
import { runDaemon } from './commands/daemon.js';
import { createOutput } from './output.js';
import { reportError } from './report-error.js';

async function daemonMain(argv: string[]): Promise<number> {
  const out = createOutput();
  try {
    const { config, services } = usage(argv);
    return await runDaemon({ config, services });
  } catch (error) {
    return reportError(error, out);
  }
}

function usage(argv: string[]): { config: string; services: string[] } {
  const fail = (why: string) => new ZmartError('ZMART_USAGE', `daemon.js: ${why} (usage: daemon.js --config PATH [SERVICE...]; 'zmart start' runs it)`);
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: { config: { type: 'string' } }; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: { config: { type: 'string' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw fail((error as Error).message);
  }
  if (!parsed.values.config) throw fail('--config PATH is required');
  return { config: parsed.values.config, services: parsed.positionals };
}

void daemonMain(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  // Stopped: give pending control responses a moment, then go.
  setTimeout(() => process.exit(code), 300).unref();
});
