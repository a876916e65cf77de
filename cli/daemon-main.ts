// The supervisor process `zmart start` launches (bundled as dist/bin/daemon.js): an entry of
// its own, so that the process that lives as long as the fleet loads neither commander nor
// the other commands. Usage (internal): daemon.js --config PATH [--after-go] [SERVICE...]
// --after-go: `zmart start` launched it before checking the config; it waits, having loaded
// its code, for the word `go` on fd 3 and reads the config only then; the pipe's end without
// it (a rejected config, a CLI that died) ends it before it created anything.
import { Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { loadLimitMs, preloadConfigLoader } from '../core/config/load.js';
import { ZmartError } from '../core/errors.js';
import { runDaemon } from './commands/daemon.js';
import { createOutput } from './output.js';
import { reportError } from './report-error.js';

async function daemonMain(argv: string[]): Promise<number> {
  const out = createOutput();
  try {
    const { config, afterGo, services } = usage(argv);
    if (afterGo) {
      const said = word();
      preloadConfigLoader();
      if (!(await said)) process.exit(0); // nothing was made, nothing to wait for
    }
    return await runDaemon({ config, services });
  } catch (error) {
    return reportError(error, out);
  }
}

/**
 * How long the word may take: the CLI's load of the config has its own limit (the same
 * ZMART_CONFIG_TIMEOUT, inherited), then it looks for a running supervisor (≤5 s). A CLI held
 * past that (a config looping without end, a stopped terminal) does not keep this one waiting.
 */
const WORD_MARGIN_MS = 15_000;

/** Whether the CLI said `go` on fd 3 (closed then: the services must not inherit it). */
function word(): Promise<boolean> {
  return new Promise((resolve) => {
    const pipe = new Socket({ fd: 3, readable: true, writable: false });
    let text = '';
    const late = setTimeout(() => done(false), loadLimitMs(process.env) + WORD_MARGIN_MS);
    let settled = false;
    const done = (go: boolean) => {
      if (settled) return; // a `go` line, then the pipe's end
      settled = true;
      clearTimeout(late);
      // told once its descriptor is closed: the supervisor then closes what it inherited, never this twice
      pipe.once('close', () => resolve(go));
      pipe.destroy();
    };
    pipe.setEncoding('utf8');
    pipe.on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('\n')) done(text.startsWith('go\n'));
    });
    pipe.on('end', () => done(text.startsWith('go\n')));
    pipe.on('error', () => done(false));
  });
}

function usage(argv: string[]): { config: string; afterGo: boolean; services: string[] } {
  const fail = (why: string) =>
    new ZmartError('ZMART_USAGE', `daemon.js: ${why} (usage: daemon.js --config PATH [--after-go] [SERVICE...]; 'zmart start' runs it)`);
  const options = { config: { type: 'string' }, 'after-go': { type: 'boolean' } } as const;
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof options; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw fail((error as Error).message);
  }
  if (!parsed.values.config) throw fail('--config PATH is required');
  return { config: parsed.values.config, afterGo: parsed.values['after-go'] === true, services: parsed.positionals };
}

void daemonMain(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  // Stopped: give pending control responses a moment, then go.
  setTimeout(() => process.exit(code), 300).unref();
});
