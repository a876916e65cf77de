import 'reflect-metadata';
import { container as rootContainer, instanceCachingFactory, type DependencyContainer } from 'tsyringe';
import type { ResolvedConfig } from '../config/types.js';
import { NodeHttpClient } from '../http/node-http-client.js';
import { FileLogs } from '../logging/file-logs.js';
import { createRedactor, secretValues } from '../logging/redact.js';
import { ProcInspector } from '../process/inspector.js';
import { FilePidStore } from '../process/pid-store.js';
import { ChildProcessRunner } from '../process/runner.js';
import { Supervisor } from '../supervisor.js';
import { SystemClock, SystemScheduler } from '../system-time.js';
import { TOKENS } from './tokens.js';

/**
 * The one place that wires real implementations to tokens. It returns a child container,
 * so a test can register a fake over any token before resolving the Supervisor.
 */
export function createContainer(config: ResolvedConfig, parent: DependencyContainer = rootContainer): DependencyContainer {
  const c = parent.createChildContainer();
  // Factories, cached: nothing (no log file) is created unless it is resolved and not overridden.
  const lazy = <T>(make: () => T) => ({ useFactory: instanceCachingFactory(make) });
  c.registerInstance(TOKENS.Config, config);
  c.register(TOKENS.Clock, lazy(() => new SystemClock()));
  c.register(TOKENS.Scheduler, lazy(() => new SystemScheduler()));
  c.register(TOKENS.ProcessRunner, lazy(() => new ChildProcessRunner()));
  c.register(TOKENS.ProcessInspector, lazy(() => new ProcInspector()));
  c.register(TOKENS.PidStore, lazy(() => new FilePidStore(config.pidDir)));
  c.register(TOKENS.HttpClient, lazy(() => new NodeHttpClient()));
  c.register(
    TOKENS.Logs,
    lazy(() => {
      const redact = createRedactor(secretValues(process.env, ...config.services.map((s) => s.env)));
      return new FileLogs({ logDir: config.logDir, debug: config.debug, redact });
    }),
  );
  return c;
}

export function createSupervisor(config: ResolvedConfig, parent?: DependencyContainer): Supervisor {
  return createContainer(config, parent).resolve(Supervisor);
}
