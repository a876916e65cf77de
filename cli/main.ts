#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { createOutput } from './output.js';
import { zmartVersion } from './version.js';

const out = createOutput();

/** Runs the CLI; returns the exit code. Heavy modules are imported by the command that needs them. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('zmart')
    .description('Start a fleet of servers, keep them healthy, stop them cleanly.')
    .version(zmartVersion(), '-v, --version')
    .exitOverride()
    .showSuggestionAfterError()
    .showHelpAfterError("(run 'zmart --help' for usage)")
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });

  let result = 0;
  program
    .command('start')
    .description('start the fleet (or the named services)')
    .argument('[service...]', 'services to start (default: all)')
    .option('-c, --config <path>', 'config file (default: ZMART_CONFIG, else zmart.config.* found upward)')
    .addOption(new Option('-f, --foreground', 'run the supervisor attached to this terminal'))
    .action(async (services: string[], opts: { config?: string; foreground?: boolean }) => {
      if (!opts.foreground) {
        out.error("background mode (the daemon) is not built yet: run 'zmart start --foreground'");
        result = 2;
        return;
      }
      const { startForeground } = await import('./commands/start-foreground.js');
      result = await startForeground({ config: opts.config, services }, out);
    });

  try {
    if (argv.length === 0) {
      program.outputHelp();
      return 2;
    }
    await program.parseAsync(argv, { from: 'user' });
    return result;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0 ? 0 : 2;
    }
    const { isZmartError } = await import('../core/errors.js');
    if (isZmartError(error)) {
      out.error(error.message);
      return error.exitCode;
    }
    out.error(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`zmart: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
