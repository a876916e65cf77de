import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import type { ResolvedConfig } from '../config/types.js';
import { FileLogs } from '../logging/file-logs.js';
import { createRedactor, secretValues } from '../logging/redact.js';
import { ProcInspector } from '../process/inspector.js';
import { FilePidStore } from '../process/pid-store.js';
import { ExecaProcessRunner } from '../process/runner.js';
import { Supervisor } from '../supervisor.js';
import { SystemClock, SystemScheduler } from '../system-time.js';
import { TOKENS } from './tokens.js';

/**
 * The one place that wires real implementations to tokens. It returns a child container,
 * so a test can register a fake over any token before resolving the Supervisor.
 */
export function createContainer(config: ResolvedConfig, parent: DependencyContainer = rootContainer): DependencyContainer {
  const c = parent.createChildContainer();
  const redact = createRedactor(secretValues(process.env, ...config.services.map((s) => s.env)));
  c.registerInstance(TOKENS.Config, config);
  c.registerInstance(TOKENS.Clock, new SystemClock());
  c.registerInstance(TOKENS.Scheduler, new SystemScheduler());
  c.registerInstance(TOKENS.ProcessRunner, new ExecaProcessRunner());
  c.registerInstance(TOKENS.ProcessInspector, new ProcInspector());
  c.registerInstance(TOKENS.PidStore, new FilePidStore(config.pidDir));
  c.registerInstance(TOKENS.Logs, new FileLogs({ logDir: config.logDir, debug: config.debug, redact }));
  return c;
}

export function createSupervisor(config: ResolvedConfig, parent?: DependencyContainer): Supervisor {
  return createContainer(config, parent).resolve(Supervisor);
}
