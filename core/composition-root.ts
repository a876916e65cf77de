import 'reflect-metadata';
import { container as rootContainer, instanceCachingFactory, type DependencyContainer } from 'tsyringe';
import type { ResolvedConfig } from './config/types.js';
import { ChokidarWatcher } from './files/file-watcher.js';
import { UndiciHttpClient } from './http/undici-http-client.js';
import { BufferSweep } from './logging/buffer-sweep.js';
import { FileLogs } from './logging/file-logs.js';
import { commandSecrets, createRedactor, optionSecrets, secretValues } from './logging/redact.js';
import { ProcInspector } from './process/inspector.js';
import { FilePidStore } from './process/pid-store.js';
import { createPluginProcesses } from './process/plugin-processes.js';
import { ChildProcessRunner } from './process/runner.js';
import { Supervisor } from './supervisor.js';
import { systemInfo } from './system-info.js';
import { SystemClock, SystemScheduler } from './system-time.js';
import type { Redactor } from './logging/redact.js';
import type { Environment, Logs, PidStore, PluginProcessesFactory, ProcessRunner, ProcessTable } from './di/contracts.js';
import { pickTable } from './process/table/pick.js';
import { TOKENS } from './di/tokens.js';

/**
 * The one place that names real implementations. It returns a child container, so a test
 * can register a fake over any token before resolving the Supervisor.
 */
export function createContainer(config: ResolvedConfig, parent: DependencyContainer = rootContainer): DependencyContainer {
  const c = parent.createChildContainer();
  // Factories, cached: nothing (no log file) is created unless it is resolved and not overridden.
  const lazy = <T>(make: (c: DependencyContainer) => T) => ({ useFactory: instanceCachingFactory(make) });
  c.registerInstance(TOKENS.Config, config);
  c.register(
    TOKENS.Environment,
    lazy((): Environment => process.env),
  );
  c.register(
    TOKENS.Clock,
    lazy(() => new SystemClock()),
  );
  c.register(
    TOKENS.Scheduler,
    lazy(() => new SystemScheduler()),
  );
  c.register(
    TOKENS.ProcessTable,
    lazy((c): ProcessTable => pickTable(c.resolve<Environment>(TOKENS.Environment) as NodeJS.ProcessEnv)),
  );
  c.register(
    TOKENS.ProcessRunner,
    lazy((c) => new ChildProcessRunner(c.resolve<ProcessTable>(TOKENS.ProcessTable))),
  );
  c.register(
    TOKENS.ProcessInspector,
    lazy((c) => new ProcInspector(c.resolve<ProcessTable>(TOKENS.ProcessTable))),
  );
  c.register(
    TOKENS.PidStore,
    lazy(() => new FilePidStore(config.pidDir)),
  );
  c.register(
    TOKENS.HttpClient,
    lazy(() => new UndiciHttpClient()),
  );
  c.register(
    TOKENS.FileWatcher,
    lazy(() => new ChokidarWatcher()),
  );
  c.register(
    TOKENS.SystemInfo,
    lazy(() => systemInfo({ logDir: config.logDir, pidDir: config.pidDir })),
  );
  c.register(
    TOKENS.PluginProcesses,
    lazy(
      (c): PluginProcessesFactory =>
        (running) =>
          createPluginProcesses({
            running,
            pids: c.resolve<PidStore>(TOKENS.PidStore),
            runner: c.resolve<ProcessRunner>(TOKENS.ProcessRunner),
            logs: c.resolve<Logs>(TOKENS.Logs),
            root: config.root,
            table: c.resolve<ProcessTable>(TOKENS.ProcessTable),
          }),
    ),
  );
  c.register(
    TOKENS.Redactor,
    // every secret the fleet is known to hold: by variable name, in URLs, in commands' options, in plugins' options
    lazy((c) =>
      createRedactor([
        ...secretValues(c.resolve<Environment>(TOKENS.Environment), ...config.services.flatMap((s) => [s.fileEnv, s.env])),
        ...config.services.flatMap((s) => [...commandSecrets(s.command), ...optionSecrets(s.options)]),
      ]),
    ),
  );
  c.register(
    TOKENS.Logs,
    lazy((c) => new FileLogs({ logDir: config.logDir, debug: config.debug, redact: c.resolve<Redactor>(TOKENS.Redactor), sweep: new BufferSweep() })),
  );
  return c;
}

/** The supervisor with real implementations, each replaceable in `parent`'s child first. */
export function createSupervisor(config: ResolvedConfig, override?: (container: DependencyContainer) => void): Supervisor {
  const container = createContainer(config);
  override?.(container);
  return container.resolve(Supervisor);
}
