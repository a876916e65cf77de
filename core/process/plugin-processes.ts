import type { Logs, PidStore, PluginCommands, ProcessIdentity, ProcessRunner, ProcessTable, RunningServices } from '../di/contracts.js';
import { stopProcessTree } from './stop.js';
import { processView } from './inspector.js';
import { UsageSampler } from './usage-sampler.js';
import { canWalkTrees, TreeSampler } from './tree-sampler.js';
import { portFree } from './port-free.js';
import { descendantsOf, isRecordedProcess, isSameProcess, statIn, type ProcStat } from './proc.js';

export interface PluginProcessesDeps {
  /** The live process of each service that runs now. */
  running: RunningServices;
  pids: PidStore;
  runner: ProcessRunner;
  logs: Logs;
  /** Where commands run: the config's folder. */
  root: string;
  table: ProcessTable;
}

/** A service's tree: the leader, its descendants, and what is left in its process group. */
function treeOf(leader: ProcessIdentity, stats: ProcStat[]): ProcStat[] {
  const root = stats.find((s) => s.pid === leader.pid && s.startTime === leader.startTime && s.state !== 'Z');
  const members = new Map<number, ProcStat>();
  if (root) {
    members.set(root.pid, root);
    for (const d of descendantsOf(root.pid, stats)) if (d.state !== 'Z') members.set(d.pid, d);
  }
  for (const s of stats) if (s.pgid === leader.pid && s.startTime >= leader.startTime && s.state !== 'Z') members.set(s.pid, s);
  return [...members.values()];
}

/** Core's answers to plugins' questions about processes; `terminate` is logged with the plugin's name. */
export function createPluginProcesses(deps: PluginProcessesDeps): PluginCommands {
  const { table } = deps;
  const sampler = new UsageSampler(table);
  const trees = new TreeSampler(table);
  // One read of every /proc/PID/stat serves the questions asked within 250 ms (a plugin
  // looking at every service in one tick), unless it predates the leader asked about: a
  // service restarted a moment ago must not look empty (its new process, a stranger).
  let stats: { at: number; list: ProcStat[] } | null = null;
  const recentStats = (leader: ProcessIdentity) => {
    if (!stats || Date.now() - stats.at > 250 || statIn(stats.list, leader.pid)?.startTime !== leader.startTime) {
      stats = { at: Date.now(), list: table.all() };
    }
    return stats.list;
  };
  // the commands plugins run now: stopped with their groups when the plugins are torn down
  const inFlight = new Set<ProcessIdentity>();
  const commands: PluginCommands = (plugin) => ({
    listeners: (port) => table.listeners(port),
    portFree: (port) => portFree(port),
    tree: (service) => {
      const identity = deps.running.of(service);
      return identity ? treeOf(identity, recentStats(identity)).map((s) => processView(table, s)) : [];
    },
    ownerOf: (process) => {
      if (!isSameProcess(table, process.pid, process.startTime)) return null;
      const stats = table.all();
      const leaders = [
        ...deps.running.all(),
        // leftovers of an earlier run: pid files whose process is alive and proven
        ...deps.pids
          .list()
          .filter((name) => name !== 'monitor')
          .flatMap((service) => {
            const record = deps.pids.read(service);
            return record && isRecordedProcess(table, record) ? [{ service, identity: record }] : [];
          }),
      ];
      for (const { service, identity } of leaders) {
        if (treeOf(identity, stats).some((s) => s.pid === process.pid && s.startTime === process.startTime)) return service;
      }
      return null;
    },
    usage: async (service) => {
      const identity = deps.running.of(service);
      if (!identity) return null;
      // From the leader down where the kernel lists children, from the round's snapshot where
      // the table reads memory with it (ps); else pidusage over the tree.
      if (canWalkTrees(table) || table.name === 'portable') return trees.sample(service, identity, Date.now(), () => recentStats(identity));
      return sampler.sample(
        service,
        treeOf(identity, recentStats(identity)).map((s) => s.pid),
        Date.now(),
      );
    },
    run: async (command, options) => {
      const text = Array.isArray(command) ? command.join(' ') : command;
      deps.logs.monitor.debug(`${plugin}: running ${text}`);
      const { runCommand } = await import('./run-command.js');
      const result = await runCommand(command, {
        ...options,
        cwd: deps.root,
        table,
        env: options.env ? ({ ...process.env, ...options.env } as Record<string, string>) : undefined,
        running: inFlight,
      });
      if (result.timedOut) deps.logs.monitor.warn(`${plugin}: ${text} did not finish within ${options.timeoutMs}ms: stopped`);
      return result;
    },
    terminate: async (process, options) => {
      const command = table.commandLine(process.pid) ?? '?';
      deps.logs.monitor.warn(`${plugin}: stopping pid ${process.pid} (${command}): ${options.reason}`);
      const result = await deps.runner.stop(process, { signal: options.signal ?? 'SIGTERM', timeoutMs: options.timeoutMs ?? 10_000 });
      table.forget();
      deps.logs.monitor.warn(`${plugin}: pid ${process.pid} ${result.forced ? 'killed with SIGKILL after the grace period' : 'stopped'}`);
      return result;
    },
  });
  commands.stopCommands = async () => {
    await Promise.all([...inFlight].map((identity) => stopProcessTree(identity, { table, signal: 'SIGTERM', timeoutMs: 1000 })));
  };
  return commands;
}
