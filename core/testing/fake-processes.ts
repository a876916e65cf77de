import type { PluginProcesses, PortListener, ProcessView, TreeUsage } from '../di/contracts.js';

/**
 * Processes and ports for plugin tests: the test says who listens where, which processes
 * each service has and whose a process is; `terminate` is recorded and frees the ports.
 */
export class FakeProcesses implements PluginProcesses {
  readonly listening = new Map<number, PortListener[]>();
  readonly trees = new Map<string, ProcessView[]>();
  readonly owners = new Map<number, string>();
  readonly terminated: Array<{ pid: number; reason: string }> = [];
  /** What usage(service) answers: set per service (none: the service does not run). */
  readonly usages = new Map<string, TreeUsage>();
  /** Set false to play a platform where listeners cannot be seen. */
  supported = true;

  /** Declares a process listening on a port; `owner` makes it part of that service. */
  listen(port: number, process: Partial<ProcessView> & { pid: number }, owner?: string): void {
    const listener: PortListener = { startTime: 1, ppid: 1, pgid: process.pid, command: `pid-${process.pid}`, ...process, address: '127.0.0.1', port };
    this.listening.set(port, [...(this.listening.get(port) ?? []), listener]);
    if (owner) {
      this.owners.set(process.pid, owner);
      this.trees.set(owner, [...(this.trees.get(owner) ?? []), listener]);
    }
  }

  free(port: number): void {
    this.listening.delete(port);
  }

  async portFree(port: number): Promise<boolean> {
    return (this.listening.get(port) ?? []).length === 0;
  }

  listeners(port: number): PortListener[] | null {
    return this.supported ? [...(this.listening.get(port) ?? [])] : null;
  }

  tree(service: string): ProcessView[] {
    return [...(this.trees.get(service) ?? [])];
  }

  ownerOf(process: { pid: number }): string | null {
    return this.owners.get(process.pid) ?? null;
  }

  async usage(service: string): Promise<TreeUsage | null> {
    return this.usages.get(service) ?? null;
  }

  /** Shorthand: the service's tree uses this much memory (and CPU), split over the given pids. */
  use(service: string, processes: Array<{ pid: number; rssBytes: number; cpuPercent?: number; command?: string }>): void {
    const list = processes.map((p) => ({ command: `pid-${p.pid}`, cpuPercent: 0, ...p }));
    this.usages.set(service, {
      rssBytes: list.reduce((s, p) => s + p.rssBytes, 0),
      cpuPercent: list.reduce((s, p) => s + p.cpuPercent, 0),
      processes: list,
    });
  }

  /** Commands the plugin ran, and what they answer (exit 0 by default). */
  readonly runs: Array<{ command: string | string[]; input?: string; env?: Record<string, string> }> = [];
  runResult: { code: number | null; stdout: string; stderr: string; timedOut: boolean } = { code: 0, stdout: '', stderr: '', timedOut: false };

  async run(command: string | string[], options: { input?: string; env?: Record<string, string> }) {
    this.runs.push({ command, input: options.input, env: options.env });
    return this.runResult;
  }

  async terminate(process: { pid: number }, options: { reason: string }): Promise<{ forced: boolean }> {
    this.terminated.push({ pid: process.pid, reason: options.reason });
    for (const [port, list] of this.listening)
      this.listening.set(
        port,
        list.filter((l) => l.pid !== process.pid),
      );
    return { forced: false };
  }
}
