#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { EarlyHandoff } from './early-start.js';
import { createOutput } from './output.js';
import { zmartVersion } from './version.js';

const out = createOutput();
const CONFIG_HELP = 'config file (default: ZMART_CONFIG, else zmart.config.* found upward)';

/**
 * Runs the CLI; returns the exit code. Each command imports what it needs when it runs, so
 * `zmart status` never loads the config loader, execa or zod.
 */
export async function main(argv: string[], handoff?: EarlyHandoff): Promise<number> {
  try {
    return await parseAndRun(argv, handoff);
  } finally {
    await handoff?.take()?.abort(); // launched for a start that did not take it (a usage error)
  }
}

async function parseAndRun(argv: string[], handoff?: EarlyHandoff): Promise<number> {
  let result = 0;
  const program = new Command('zmart')
    .description('Start a fleet of servers, keep them healthy, stop them cleanly.')
    .version(zmartVersion(), '-v, --version')
    .exitOverride()
    .showSuggestionAfterError()
    .showHelpAfterError("(run 'zmart --help' for usage)")
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  // A bad ZMART_PROC_BACKEND is one line and exit 2 before any command looks at a process.
  program.hook('preAction', async () => {
    const { pickTable } = await import('../core/process/table/pick.js');
    pickTable();
  });
  const command = (name: string, description: string) =>
    program
      .command(name)
      .description(description)
      .exitOverride()
      .showHelpAfterError(`(run 'zmart ${name.split(' ')[0]} --help' for usage)`);

  command('start', 'start the fleet (or the named services) in the background; --foreground to stay attached')
    .argument('[service...]', 'services to start, with what they depend on (default: all)')
    .option('-c, --config <path>', CONFIG_HELP)
    .option('-f, --foreground', 'run the supervisor attached to this terminal (containers, system units)')
    .option('-w, --wait <duration>', 'how long to wait for the fleet to come up', '60s')
    .action(async (services: string[], opts: { config?: string; foreground?: boolean; wait: string }) => {
      const early = handoff?.take() ?? undefined;
      if (opts.foreground) {
        await early?.abort();
        const { startForeground } = await import('./commands/start-foreground.js');
        result = await startForeground({ config: opts.config, services }, out);
      } else {
        const { startBackground } = await import('./commands/start.js');
        result = await startBackground({ config: opts.config, services, wait: opts.wait, early }, out);
      }
    });

  command('stop', 'stop the fleet (or the named services, dependants first) and the supervisor')
    .argument('[service...]', 'services to stop (default: all, then the supervisor)')
    .option('-c, --config <path>', CONFIG_HELP)
    .action(async (services: string[], opts: { config?: string }) => {
      const { stop } = await import('./commands/stop.js');
      result = await stop({ config: opts.config, services }, out);
    });

  command('restart', 'restart the fleet or the named services (a failed one gets its budget back; replicas one after another)')
    .argument('[service...]', 'services to restart (default: all)')
    .option('-c, --config <path>', CONFIG_HELP)
    .option('--all-at-once', 'replicas all together, not one after another (each ready before the next is stopped)')
    .option('-w, --wait <duration>', 'how long each replica of a roll may take to be ready again before the roll stops', '60s')
    .action(async (services: string[], opts: { config?: string; allAtOnce?: boolean; wait: string }) => {
      const { restart } = await import('./commands/control.js');
      result = await restart({ config: opts.config, services, allAtOnce: Boolean(opts.allAtOnce), wait: opts.wait }, out);
    });

  command('scale', 'run N processes (replicas) of a service: new ones start, the highest-numbered stop first')
    .argument('<service>', 'the service')
    .argument('<replicas>', 'how many processes, 1 to 64')
    .option('-c, --config <path>', CONFIG_HELP)
    .action(async (service: string, replicas: string, opts: { config?: string }) => {
      const { scale } = await import('./commands/control.js');
      result = await scale({ config: opts.config, service, replicas }, out);
    });

  command('signal', `send a signal to a service's main process (--all: its whole process group)`)
    .argument('<service>', 'the service')
    .argument('<signal>', 'HUP, INT, QUIT, TERM, USR1, USR2, TTIN, TTOU, WINCH or CONT (SIG prefix optional)')
    .option('-a, --all', 'to every process of the service, not only its main process')
    .option('-c, --config <path>', CONFIG_HELP)
    .action(async (service: string, name: string, opts: { config?: string; all?: boolean }) => {
      const { signal } = await import('./commands/control.js');
      result = await signal({ config: opts.config, service, signal: name, all: opts.all === true }, out);
    });

  command('status', 'show the fleet (or the named services): exit 0 all up and healthy, 1 something is not, 3 no supervisor')
    .argument('[service...]', 'only these services (a replicated one: all its replicas)')
    .option('-c, --config <path>', CONFIG_HELP)
    .option('-d, --detailed', 'port, pid, command, uptime, health, response time, restarts')
    .option('-a, --all', 'detailed, plus system resources, recent log lines and connections')
    .option('-r, --resources', 'system and per-service CPU, memory and disk')
    .option('--json', 'everything, machine-readable')
    .action(async (services: string[], opts: { config?: string; detailed?: boolean; all?: boolean; resources?: boolean; json?: boolean }) => {
      const { status } = await import('./commands/status.js');
      result = await status({ ...opts, services }, out);
    });

  command('list', 'one line per service (and replica): state, pid, uptime, restarts, memory, CPU, health')
    .alias('ls')
    .option('-c, --config <path>', CONFIG_HELP)
    .action(async (opts: { config?: string }) => {
      const { list } = await import('./commands/list.js');
      result = await list(opts, out);
    });

  command('logs', "print a service's log (or every service's), -f to follow")
    .argument('[service]', "a service, or one of zmart's own logs: zmart, startup, shutdown, monitor")
    .option('-c, --config <path>', CONFIG_HELP)
    .addOption(new Option('-n, --lines <count>', 'how many lines from the end').default(20).argParser(lineCount))
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .option('--raw', "print the lines as written: a service's control characters reach the terminal (default: shown as \\x1b)")
    .action(async (service: string | undefined, opts: { config?: string; lines: number; follow?: boolean; raw?: boolean }) => {
      const { logs } = await import('./commands/logs.js');
      result = await logs({ config: opts.config, service, lines: opts.lines, follow: Boolean(opts.follow), raw: Boolean(opts.raw) }, out);
    });

  command('reload', 're-read the config: start added services, stop removed ones, restart changed ones')
    .option('-c, --config <path>', CONFIG_HELP)
    .action(async (opts: { config?: string }) => {
      const { reload } = await import('./commands/control.js');
      result = await reload(opts, out);
    });

  command('startup', 'install the systemd unit that starts the fleet at boot (--print: only print it)')
    .option('-c, --config <path>', CONFIG_HELP)
    .option('--user', 'a user unit (systemctl --user) instead of a system one')
    .option('--print', 'print the unit, install nothing (any machine)')
    .option('--launchd', "macOS's LaunchAgent instead of a systemd unit (the default on macOS)")
    .action(async (opts: { config?: string; user?: boolean; print?: boolean; launchd?: boolean }) => {
      const { startup } = await import('./commands/startup.js');
      result = await startup({ config: opts.config, user: Boolean(opts.user), print: Boolean(opts.print), launchd: Boolean(opts.launchd) }, out);
    });

  command('unstartup', 'disable and remove the unit zmart startup installed')
    .option('-c, --config <path>', CONFIG_HELP)
    .option('--user', 'the user unit')
    .action(async (opts: { config?: string; user?: boolean }) => {
      const { unstartup } = await import('./commands/startup.js');
      result = await unstartup({ config: opts.config, user: Boolean(opts.user) }, out);
    });

  command('export', 'write the fleet as files for another supervisor: systemd, compose or kubernetes')
    .argument('<target>', 'systemd | compose | kubernetes')
    .option('-c, --config <path>', CONFIG_HELP)
    .option('-o, --out <dir>', 'where the files go (default: zmart-export/<target> beside the config)')
    .option('--image <image>', 'the container image of every service without its own `image` (compose, kubernetes)')
    .action(async (target: string, opts: { config?: string; out?: string; image?: string }) => {
      const { exportFleet } = await import('./commands/export.js');
      result = await exportFleet({ target, config: opts.config, out: opts.out, image: opts.image }, out);
    });

  command('import', 'write a zmart.config.ts from a PM2 ecosystem file, a supervisord.conf, a Procfile or a Compose file')
    .argument('<file>', 'ecosystem.config.js|cjs|json, supervisord.conf, Procfile or docker-compose.yml')
    .option('-o, --out <file>', 'the config to write (default: zmart.config.ts here)')
    .option('--force', 'replace the config if it exists')
    .action(async (file: string, opts: { out?: string; force?: boolean }) => {
      const { importFleet } = await import('./commands/import.js');
      result = await importFleet({ file, out: opts.out, force: Boolean(opts.force) }, out);
    });

  command('ui', "a terminal UI: services, the selected one's log live, keys to restart, stop, start")
    .option('-c, --config <path>', CONFIG_HELP)
    .action(async (opts: { config?: string }) => {
      const { ui } = await import('./commands/ui.js');
      result = await ui(opts, out);
    });

  command('report', "the fleet's uptime, restarts by reason, response times per day and memory peak, from its history")
    .option('-c, --config <path>', CONFIG_HELP)
    .option('--since <duration>', 'how far back (30d, 12h, 90m)', '30d')
    .option('--json', 'machine-readable')
    .action(async (opts: { config?: string; since?: string; json?: boolean }) => {
      const { report } = await import('./commands/report.js');
      result = await report(opts, out);
    });

  command('completion', 'print a script that completes commands, flags and service names: bash, zsh or fish')
    .argument('[shell]', 'bash | zsh | fish')
    .option('-c, --config <path>', CONFIG_HELP)
    .addOption(new Option('--services', 'print the service names (what the scripts ask as you type)').hideHelp())
    .action(async (shell: string | undefined, opts: { config?: string; services?: boolean }) => {
      const { completion, printServices, specOf } = await import('./commands/completion.js');
      result = opts.services ? await printServices(opts.config, out) : completion(shell, specOf(program), out);
    });

  command('init', 'write a commented zmart.config.ts in this folder (never overwrites)').action(async () => {
    const { init } = await import('./commands/init.js');
    result = init(out);
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
    const { reportError } = await import('./report-error.js');
    return reportError(error, out);
  }
}

function lineCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new InvalidArgumentError('expected a whole number of lines (0 or more).');
  }
  return n;
}

/** The full CLI's entry (cli/bin.ts imports this file and calls it). */
export function run(argv: string[], handoff?: EarlyHandoff): void {
  main(argv, handoff).then(
    (code) => {
      process.exitCode = code;
      // The daemon and foreground runs end here once stopped: give pending responses a moment, then go.
      setTimeout(() => process.exit(code), 300).unref();
    },
    (error) => {
      process.stderr.write(`zmart: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
