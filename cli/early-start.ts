import { parseArgs } from 'node:util';
import { findConfigFile } from '../core/config/locate.js';
import { type LaunchedDaemon, launchEarly } from './commands/start-daemon.js';

/** A supervisor launched before the full CLI loaded, for the `zmart start` that takes it (once). */
export interface EarlyHandoff {
  take(): LaunchedDaemon | null;
}

/**
 * `zmart start` (in the background) launches its supervisor first thing, from the small
 * CommonJS entry, before the full CLI, commander and the config loader are loaded (~90 ms on
 * a 2-core machine): the supervisor's own boot is the longest leg of a cold start, and it then
 * runs beside everything the CLI does. Only for an argv util.parseArgs takes as `start`'s;
 * anything else (--foreground, --help, a typo) launches nothing here and goes as before. The
 * full CLI's start takes the supervisor if it is for the config it finds; whatever does not
 * take it (a usage error) aborts it (see cli/main.ts).
 */
export async function launchBeforeCli(argv: string[]): Promise<EarlyHandoff> {
  let early: LaunchedDaemon | null = null;
  if (argv[0] === 'start') {
    try {
      const { values, positionals } = parseArgs({
        args: argv.slice(1),
        options: { config: { type: 'string', short: 'c' }, foreground: { type: 'boolean', short: 'f' }, wait: { type: 'string', short: 'w' } },
        strict: true,
        allowPositionals: true,
      });
      if (!values.foreground) early = launchEarly(await findConfigFile({ configPath: values.config }), positionals);
    } catch {
      early = null; // the full CLI says what is wrong
    }
  }
  return {
    take() {
      const taken = early;
      early = null;
      return taken;
    },
  };
}
