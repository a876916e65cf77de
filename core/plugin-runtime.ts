import { inject, injectable } from 'tsyringe';
import type { ResolvedConfig } from './config/types.js';
import type { Clock, FileWatcher, HttpClient, Logs, PluginProcessesFactory, RunningServices, Scheduler, SystemInfo } from './di/contracts.js';
import { TOKENS } from './di/tokens.js';
import { HookBus } from './hook-bus.js';
import { errorText } from './errors.js';
import { type ServiceDirectory, startPlugins } from './plugin-host.js';
import { PluginWatch } from './plugin-guard/plugin-watch.js';
import type { Alert } from './service/types.js';

/** What the plugins are set up against: the services they see and act on, and where alerts go. */
export interface PluginFleet {
  directory: ServiceDirectory;
  running: RunningServices;
  alert: (alert: Alert) => void;
}

/**
 * Where plugins run: the hook bus, the stall watchdog and plugins' table, and everything a
 * plugin's `ctx` is made of (clock, scheduler, logs, HTTP, the machine, file watching,
 * process questions), each injected. The supervisor gets one from the composition root; the
 * plugin harness (core/testing) gets one from the same root with fakes registered over it.
 */
@injectable()
export class PluginRuntime {
  readonly watch: PluginWatch;
  readonly hooks: HookBus;

  constructor(
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.Scheduler) private readonly scheduler: Scheduler,
    @inject(TOKENS.Logs) private readonly logs: Logs,
    @inject(TOKENS.HttpClient) private readonly http: HttpClient,
    @inject(TOKENS.SystemInfo) private readonly system: SystemInfo,
    @inject(TOKENS.FileWatcher) private readonly files: FileWatcher,
    @inject(TOKENS.PluginProcesses) private readonly processes: PluginProcessesFactory,
  ) {
    this.watch = new PluginWatch(() => logs.monitor);
    this.hooks = new HookBus(
      (error, { hook, owner }) => logs.supervisor.error(`plugin ${owner}: handler for ${hook} threw: ${errorText(error)}`),
      (owner, hook, ms) => this.watch.held(owner, hook, ms),
    );
  }

  /** Sets up `config`'s plugins (each within its deadline; the table starts afresh); resolves with their teardown. */
  async start(config: Pick<ResolvedConfig, 'plugins' | 'monitor' | 'pluginTimeouts'>, fleet: PluginFleet): Promise<() => Promise<void>> {
    this.watch.reset();
    const processes = this.processes(fleet.running);
    const teardown = await startPlugins(config.plugins, {
      watch: this.watch,
      timeouts: config.pluginTimeouts,
      hooks: this.hooks,
      clock: this.clock,
      scheduler: this.scheduler,
      logs: this.logs,
      alert: fleet.alert,
      monitor: config.monitor,
      http: this.http,
      system: this.system,
      files: this.files,
      processes,
      directory: fleet.directory,
    });
    // then what they left running: a command in flight (an exec probe) is not the plugin's to finish
    return async () => {
      await teardown();
      await processes.stopCommands?.();
    };
  }
}
