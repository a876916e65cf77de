import type { Logs } from '../di/contracts.js';
import type { HookBus } from '../hook-bus.js';
import type { Health, LastRestart, RestartReason, ServiceSnapshot, ServiceState } from './types.js';

/**
 * What is known about one service beyond its state: counters, the last restart, exit and
 * error, plugins' measurements, and health. Health changes (resets included) go through
 * `setHealth`, which logs them and emits `service:health`.
 */
export class ServiceRecord {
  restarts = 0;
  lastRestart: LastRestart | null = null;
  lastExit: ServiceSnapshot['lastExit'] = null;
  lastError: string | null = null;
  metrics: ServiceSnapshot['metrics'] = {};
  private currentHealth: Health | null;

  constructor(
    private readonly service: string,
    /** True when a plugin reports this service's health: it then starts `unknown`, else null. */
    readonly probed: boolean,
    private readonly hooks: HookBus,
    private readonly logs: Logs,
  ) {
    this.currentHealth = probed ? 'unknown' : null;
  }

  get health(): Health | null {
    return this.currentHealth;
  }

  /** Records a change of health; false when nothing changed (or nothing probes the service). */
  setHealth(health: Health, detail?: string): boolean {
    if (!this.probed || health === this.currentHealth) return false;
    const previous = this.currentHealth;
    this.currentHealth = health;
    const line = `${this.service}: health ${previous} -> ${health}${detail ? ` (${detail})` : ''}`;
    if (health === 'healthy') this.logs.monitor.info(line);
    else if (health === 'unknown') this.logs.monitor.debug(line);
    else this.logs.monitor.warn(line);
    void this.hooks.emit('service:health', { service: this.service, health, previous, detail });
    return true;
  }

  noteRestart(reason: RestartReason, at: number): void {
    this.lastRestart = { ...reason, at: new Date(at).toISOString() };
  }

  noteExit(exit: { code: number | null; signal: string | null }, at: number): void {
    this.lastExit = { ...exit, at: new Date(at).toISOString() };
  }

  /** The read-only picture status and plugins see, with what the controller knows. */
  snapshot(now: {
    config: { name: string; title: string; port: number | null; commandText: string };
    state: ServiceState;
    ready: boolean;
    run: { pid: number; startedAt: number } | null;
    nextRestartAt: number | null;
  }): ServiceSnapshot {
    return {
      name: now.config.name,
      title: now.config.title,
      state: now.state,
      health: this.currentHealth,
      ready: now.ready,
      pid: now.run?.pid ?? null,
      port: now.config.port,
      command: now.config.commandText,
      startedAt: now.run?.startedAt ?? null,
      restarts: this.restarts,
      lastRestart: this.lastRestart,
      lastExit: this.lastExit,
      lastError: this.lastError,
      nextRestartAt: now.nextRestartAt === null ? null : new Date(now.nextRestartAt).toISOString(),
      metrics: { ...this.metrics },
    };
  }

  setMetrics(metrics: ServiceSnapshot['metrics']): void {
    this.metrics = { ...this.metrics, ...metrics };
  }
}
