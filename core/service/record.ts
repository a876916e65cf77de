import type { Logs } from '../di/contracts.js';
import type { HookBus } from '../hook-bus.js';
import type { Health, LastRestart, ProbeFailures, RestartReason, ServiceSnapshot, ServiceState } from './types.js';

/** Worse first: the health a service shows is the worst its reporters last said. */
const RANK: Record<Health, number> = { healthy: 0, unknown: 1, slow: 2, unhealthy: 3 };

/** The worst report; of equally bad ones, the first to speak. */
const worstOf = (reports: HealthReport[]): HealthReport => reports.reduce((worst, r) => (RANK[r.health] > RANK[worst.health] ? r : worst));

export interface HealthReport {
  by: string;
  health: Health;
  detail: string | null;
}

/**
 * What is known about one service beyond its state: counters, the last restart, exit and
 * error, plugins' measurements, and health. Health changes (resets included) go through
 * `setHealth`, which logs them and emits `service:health`. Several plugins may report the
 * health of one service: each one's last word is kept and the worst is shown, with who said it.
 */
export class ServiceRecord {
  restarts = 0;
  lastRestart: LastRestart | null = null;
  lastExit: ServiceSnapshot['lastExit'] = null;
  lastStop: ServiceSnapshot['lastStop'] = null;
  lastError: string | null = null;
  metrics: ServiceSnapshot['metrics'] = {};
  /** Each probing plugin's failures in a row; the most is shown. */
  private readonly probeFailures = new Map<string, ProbeFailures>();
  private currentHealth: Health | null;
  private currentBy: string | null = null;
  /** Each reporter's last word since the process started; core's reset (a stop, an exit) clears them. */
  private readonly reports = new Map<string, HealthReport>();

  constructor(
    private readonly service: string,
    /** True when a plugin reports this service's health: it then starts `unknown`, else null. */
    private probed: boolean,
    private readonly hooks: HookBus,
    private readonly logs: Logs,
  ) {
    this.currentHealth = probed ? 'unknown' : null;
  }

  get health(): Health | null {
    return this.currentHealth;
  }

  /** A plugin starts or stops probing the service (a reload): its health starts over. */
  setProbed(probed: boolean): void {
    if (probed === this.probed) return;
    this.probed = probed;
    this.reports.clear();
    this.currentBy = null;
    const previous = this.currentHealth;
    this.currentHealth = probed ? 'unknown' : null;
    if (probed) void this.hooks.emit('service:health', { service: this.service, health: 'unknown', previous, by: 'core' });
  }

  /** Who said the health shown: a plugin's name, 'core' after a reset, null before any report. */
  get healthBy(): string | null {
    return this.currentBy;
  }

  /**
   * Records what `by` says of the service's health (core's word, `by` 'core', resets every
   * reporter's); the service shows the worst of the reporters' last words. False when what
   * it shows did not change (or nothing probes the service).
   */
  setHealth(health: Health, detail?: string, by = 'core'): boolean {
    if (!this.probed) return false;
    if (by === 'core') {
      this.reports.clear();
      this.probeFailures.clear();
    } else this.reports.set(by, { by, health, detail: detail ?? null });
    const shown = by === 'core' ? { by, health, detail: detail ?? null } : worstOf([...this.reports.values()]);
    if (shown.health === this.currentHealth) {
      // The same health (maybe now said by another reporter): nothing changes for dependants or hooks.
      this.currentBy = shown.by;
      return false;
    }
    const previous = this.currentHealth;
    this.currentHealth = shown.health;
    this.currentBy = shown.by;
    const words = shown.detail ?? undefined;
    const who = this.reports.size > 1 ? ` [${shown.by}]` : '';
    const line = `${this.service}: health ${previous} -> ${shown.health}${words ? ` (${words})` : ''}${who}`;
    if (shown.health === 'healthy') this.logs.monitor.info(line);
    else if (shown.health === 'unknown') this.logs.monitor.debug(line);
    else this.logs.monitor.warn(line);
    void this.hooks.emit('service:health', { service: this.service, health: shown.health, previous, detail: words, by: shown.by });
    return true;
  }

  /** Every reporter's last word, in the order they first spoke. */
  healthReports(): HealthReport[] {
    return [...this.reports.values()].map((r) => ({ ...r }));
  }

  /** An operator's restart (reason `manual`): counted, the last restart, told to plugins (`service:operator`). */
  noteManualRestart(at: number): void {
    this.restarts += 1;
    this.noteRestart({ kind: 'manual', by: 'operator', detail: 'restarted by the operator' }, at);
    void this.hooks.emit('service:operator', { service: this.service, action: 'restart', by: 'operator' });
  }

  noteRestart(reason: RestartReason, at: number): void {
    this.lastRestart = { ...reason, at: new Date(at).toISOString() };
  }

  noteStop(stop: { signal: string; ms: number; forced: boolean; timeoutMs: number }, at: number): void {
    this.lastStop = { ...stop, at: new Date(at).toISOString() };
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
      healthBy: this.currentBy,
      healthReports: this.healthReports(),
      ready: now.ready,
      pid: now.run?.pid ?? null,
      port: now.config.port,
      command: now.config.commandText,
      startedAt: now.run?.startedAt ?? null,
      restarts: this.restarts,
      lastRestart: this.lastRestart,
      lastExit: this.lastExit,
      lastStop: this.lastStop,
      lastError: this.lastError,
      nextRestartAt: now.nextRestartAt === null ? null : new Date(now.nextRestartAt).toISOString(),
      metrics: { ...this.metrics },
      ...this.worstProbe(),
    };
  }

  /** A new process: what was measured of the last one goes. */
  newRun(): void {
    this.metrics = {};
    this.probeFailures.clear();
  }

  /** A probing plugin's failures in a row (0 once a probe passes). */
  noteProbeFailures(failures: ProbeFailures): void {
    this.probeFailures.set(failures.by, failures);
  }

  private worstProbe(): { probeFailures: number; probeFailureThreshold: number | null } {
    const worst = [...this.probeFailures.values()].reduce<ProbeFailures | null>((w, f) => (w && w.count >= f.count ? w : f), null);
    return { probeFailures: worst?.count ?? 0, probeFailureThreshold: worst?.threshold ?? null };
  }

  setMetrics(metrics: ServiceSnapshot['metrics']): void {
    this.metrics = { ...this.metrics, ...metrics };
  }
}
