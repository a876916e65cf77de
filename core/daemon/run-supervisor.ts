import { meant } from '../config/suggest.js';
import { rmSync } from 'node:fs';
import { bestEffort } from '../best-effort.js';
import { loadConfig } from '../config/load.js';
import { checkFileRoom } from '../process/fd-room.js';
import { closeInheritedFds } from '../process/inherited-fds.js';
import type { ResolvedConfig } from '../config/types.js';
import { createSupervisor } from '../composition-root.js';
import type { PluginInstance } from '../plugin.js';
import { supervisorProgress, supervisorStatus } from '../status/from-supervisor.js';
import type { Supervisor, StartReport } from '../supervisor.js';
import { OPERATOR_SIGNALS, parseSignal } from '../service/signals.js';
import { closeControlServer, createControlServer, HttpError, listenOnSocket } from './control-server.js';
import { markRunStopped, socketPathFor, writeRunEntry } from './registry.js';

/** How long a stopped supervisor waits for its answers under way to go out before it ends. */
const ANSWERS_MS = 5000;

export interface RunOptions {
  configPath?: string;
  version: string;
  builtins: () => PluginInstance[];
  /** Services to start (all by default). */
  services?: string[];
  /** Sees the supervisor before anything starts: the foreground CLI prints its hooks. */
  onSupervisor?: (supervisor: Supervisor, config: ResolvedConfig) => void;
  onStarted?: (report: StartReport) => void;
  onStopping?: (reason: string) => void;
}

export interface RunningSupervisor {
  supervisor: Supervisor;
  config: ResolvedConfig;
  /** Resolves once everything is stopped and cleaned up, and the answers under way have gone out. */
  done: Promise<void>;
  stop(reason: string): Promise<void>;
}

/**
 * The supervisor process, attached (foreground) or detached (daemon): loads the config,
 * claims monitor.pid, serves the control API on its socket, starts the fleet, and on
 * SIGTERM/SIGINT (or a stop request) stops everything and cleans up. SIGHUP reloads.
 */
export async function runSupervisor(options: RunOptions): Promise<RunningSupervisor> {
  const load = () => loadConfig({ configPath: options.configPath, builtins: options.builtins });
  const config = await load();
  const configFile = config.file!;
  checkFileRoom(config.services.length, configFile);
  // Before anything is claimed: an unsafe socket folder refuses the start with nothing to undo.
  const socket = socketPathFor(config.pidDir, configFile);
  const supervisor = createSupervisor(config);
  const { logs } = supervisor;
  options.onSupervisor?.(supervisor, config);
  try {
    supervisor.claim();
  } catch (error) {
    await logs.close();
    throw error;
  }
  const inherited = closeInheritedFds();
  if (inherited.length > 0) {
    const list = inherited.map(({ fd, target }) => `${fd} (${target})`).join(', ');
    logs.supervisor.info(`closed ${inherited.length} descriptor(s) inherited from the process that started zmart, so that no service inherits them: ${list}`);
  }

  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  let stopping: Promise<void> | null = null;
  const stop = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      // Whatever fails on the way (a file operation, a plugin), the supervisor ends.
      const log = (m: string) => logs.shutdown.error(m);
      try {
        options.onStopping?.(reason);
        await supervisor.stop(reason);
      } catch (error) {
        log(`stop failed, ending anyway: ${error instanceof Error ? error.message : error}`);
      } finally {
        const answered = closeControlServer(server, ANSWERS_MS);
        bestEffort('remove the control socket', () => rmSync(socket, { force: true }), log);
        bestEffort('mark the run stopped', () => markRunStopped(configFile, process.pid), log);
        process.off('SIGHUP', onHup);
        await logs.close().catch(() => undefined);
        // The process ends once the answers under way are out: the `zmart stop` that asked
        // gets its answer (given when this settles), and one polling the states (a large
        // answer at 3,000 services) gets all of it, not a connection cut in the middle.
        void answered.then(finish);
      }
    })();
    return stopping;
  };

  const reload = async () => {
    const next = await load();
    const report = await supervisor.reload(next);
    register();
    return report;
  };
  const onHup = () => {
    reload().catch((error) => logs.supervisor.error(`reload on SIGHUP refused, fleet unchanged: ${error instanceof Error ? error.message : error}`));
  };
  const register = () =>
    writeRunEntry({
      config: configFile,
      root: config.root,
      pidDir: config.pidDir,
      logDir: config.logDir,
      socket,
      pid: process.pid,
      version: options.version,
      services: supervisor.config.services.map((s) => ({ name: s.name, title: s.title, port: s.port, dependsOn: Object.keys(s.dependsOn) })),
    });

  // a replicated service's name stands for all its replicas (`web` is web#1 … web#N)
  const known = (names: string[] | undefined) =>
    names?.flatMap((name) => {
      if (supervisor.controller(name)) return [name];
      const replicas = supervisor.config.services.filter((s) => s.group === name).map((s) => s.name);
      if (replicas.length > 0) return replicas;
      throw new HttpError(
        404,
        `no service named '${name}'${meant(
          name,
          supervisor.config.services.map((s) => s.name),
        )} (known: ${supervisor.config.services.map((s) => s.name).join(', ')})`,
      );
    });
  const server = createControlServer({
    status: () => supervisorStatus(supervisor, options.version),
    states: () => supervisorStatus(supervisor, options.version, { usage: false }),
    progress: () => supervisorProgress(supervisor),
    start: async (names) => supervisor.start(known(names)),
    stop: async (names) => {
      // Reported in the order they stop: dependants first (reverse dependency order).
      const order = supervisor.config.services.map((s) => s.name).reverse();
      // and how each went: its signal and time, or the SIGKILL at its timeout
      const how = (stopped: string[]) => ({ stopped, how: Object.fromEntries(stopped.map((n) => [n, supervisor.controller(n)?.snapshot().lastStop ?? null])) });
      if (!names) {
        void stop('stop requested');
        await stopping;
        return how(order);
      }
      const wanted = known(names)!;
      await supervisor.stopServices(wanted);
      return how(order.filter((n) => wanted.includes(n)));
    },
    restart: async (names, options) => supervisor.restartServices(known(names) ?? supervisor.config.services.map((s) => s.name), options),
    scale: async (service, replicas) => {
      if (!supervisor.config.services.some((s) => s.group === service))
        throw new HttpError(404, `no service named '${service}'${meant(service, [...new Set(supervisor.config.services.map((s) => s.group))])}`);
      const report = await supervisor.scale(service, replicas);
      register(); // the CLI finds the services (logs, offline status) in the run entry
      return report;
    },
    reload,
    signal: (service, name, all) => {
      known([service]);
      const signal = parseSignal(name);
      if (!signal) throw new HttpError(400, `${name}: not a signal zmart sends (one of ${OPERATOR_SIGNALS.join(', ')})`);
      try {
        const pid = supervisor.controller(service)!.signal(signal, all ? 'group' : 'main');
        return { service, signal, pid, scope: all ? 'group' : 'main' };
      } catch (error) {
        throw new HttpError(409, error instanceof Error ? error.message : String(error));
      }
    },
    log: (message) => logs.supervisor.error(message),
  });
  await listenOnSocket(server, socket);
  register();
  // The socket answers before the plugins are set up: a plugin slow to set up (each has a
  // deadline) never leaves a live supervisor that `status` calls not running.

  process.once('SIGINT', () => void stop('SIGINT received'));
  process.once('SIGTERM', () => void stop('SIGTERM received'));
  process.on('SIGHUP', onHup);

  void supervisor.start(options.services).then(
    (report) => options.onStarted?.(report),
    (error) => logs.supervisor.error(`start failed: ${error instanceof Error ? error.message : error}`),
  );
  return { supervisor, config, done, stop };
}
