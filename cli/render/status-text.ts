import { formatDuration } from '../../core/format.js';
import type { ServiceProgress, ServiceStatus, StatusReport } from '../../core/status/types.js';

/** `failing (2/3)`: its last probes failed, below the threshold that restarts it; null when none did. */
export function failingText(s: Pick<ServiceStatus, 'probeFailures' | 'probeFailureThreshold' | 'health'>): string | null {
  if (!s.probeFailures || s.health === 'unhealthy') return null;
  return `failing (${s.probeFailures}/${s.probeFailureThreshold ?? '?'})`;
}

/**
 * Running, and nothing says it is sick, but its readiness (a ready check, a ready line, or
 * `readyAfter`) is not met yet: what `zmart start` still waits for, and what status is not "up".
 */
export const notReady = (s: Pick<ServiceStatus, 'state' | 'ready' | 'health'>): boolean =>
  s.state === 'running' && !s.ready && (s.health === null || s.health === 'healthy');

/** The icon and words for one service, in the seed's style ("✅ API Server: Running & Healthy"). */
export function describeService(s: ServiceProgress & Pick<ServiceStatus, 'pidFile'>): { icon: string; text: string } {
  if (s.pidFile === 'orphaned') return { icon: '⚠️ ', text: `Orphaned (pid ${s.pid} runs without a supervisor; 'zmart stop' cleans it up)` };
  const failing = failingText(s);
  switch (s.state) {
    case 'running':
      if (failing) return { icon: '⚠️ ', text: `Running${s.health === 'healthy' ? ' & Healthy' : ''}, but ${failing}` };
      if (notReady(s)) return { icon: '⏳', text: 'Running, not ready yet' };
      if (s.health === 'healthy') return { icon: '✅', text: 'Running & Healthy' };
      if (s.health === null) return { icon: '✅', text: 'Running' };
      if (s.health === 'unknown') return { icon: '⏳', text: 'Running (not checked yet)' };
      if (s.health === 'slow') return { icon: '⚠️ ', text: 'Running but Slow' };
      return { icon: '❌', text: 'Running but Unhealthy' };
    case 'starting':
      return { icon: '⏳', text: 'Starting' };
    case 'stopping':
      return { icon: '⏳', text: 'Stopping' };
    case 'backoff':
      return { icon: '🔄', text: `Restarting${s.lastRestart ? ` after ${s.lastRestart.kind}: ${s.lastRestart.detail}` : ''}` };
    case 'failed':
      if (s.lastError) return { icon: '❌', text: `Failed: ${s.lastError}` };
      return { icon: '❌', text: `Failed after ${s.restarts} restarts${s.lastExit ? ` (last exit: ${exitText(s.lastExit)})` : ''}` };
    case 'exited':
      return { icon: '⛔', text: `Exited${s.lastExit ? ` (${exitText(s.lastExit)})` : ''}` };
    default:
      return { icon: '⛔', text: s.pidFile === 'stale' ? 'Stopped (stale pid file)' : 'Stopped' };
  }
}

const exitText = (exit: { code: number | null; signal: string | null }) => (exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`);

function monitoringLine(report: StatusReport): string {
  const sup = report.supervisor;
  if (sup.running) return `✅ Monitoring: Active (zmart ${sup.pid}, up ${formatDuration(sup.uptimeMs ?? 0)})`;
  return `❌ Monitoring: Not running (no supervisor for ${sup.config})`;
}

export function quickStatus(report: StatusReport): string[] {
  const lines = ['📊 QUICK STATUS', '==============', ''];
  for (const s of report.services) {
    const { icon, text } = describeService(s);
    lines.push(`${icon} ${s.title}: ${text}`);
    if (typeof s.metrics.watchMissing === 'string') lines.push(`   ⚠️  watches a path that does not exist: ${s.metrics.watchMissing}`);
  }
  if (report.services.length === 0) lines.push('(no services known yet: start the fleet with zmart start)');
  lines.push(monitoringLine(report));
  lines.push(...pluginLines(report));
  return lines;
}

const healthText: Record<string, string> = {
  healthy: '✅ Healthy',
  unhealthy: '❌ Unhealthy',
  slow: '⚠️  Slow',
  unknown: '⏳ Not checked yet',
};

export function detailedStatus(report: StatusReport, now = Date.now()): string[] {
  const lines = ['📊 DETAILED SERVER STATUS', '========================', ''];
  for (const s of report.services) {
    const { icon, text } = describeService(s);
    lines.push(`${icon} ${s.title}${s.port ? ` (Port ${s.port})` : ''}: ${text}`);
    if (s.pid) lines.push(`   Process: ${s.pid} ${s.command}${s.processes && s.processes > 1 ? ` (+${s.processes - 1} child processes)` : ''}`);
    else if (s.command) lines.push(`   Command: ${s.command}`);
    if (s.uptimeMs !== null) lines.push(`   Uptime: ${formatDuration(s.uptimeMs)}`);
    lines.push(`   Health: ${healthLine(s)}`);
    if (s.responseTimeMs !== null) lines.push(`   Response Time: ${responseText(s)}`);
    if (s.rssBytes !== null) lines.push(`   Memory: ${formatBytes(s.rssBytes)}   CPU: ${s.cpuPercent}%`);
    const last = s.lastRestart ? ` (last: ${s.lastRestart.kind}: ${s.lastRestart.detail}, ${formatDuration(now - Date.parse(s.lastRestart.at))} ago)` : '';
    lines.push(`   Restarts: ${s.restarts}${last}`);
    if (s.nextRestartAt) lines.push(`   Next scheduled restart: ${s.nextRestartAt} (in ${formatDuration(Math.max(0, Date.parse(s.nextRestartAt) - now))})`);
    if (typeof s.metrics.watchMissing === 'string') lines.push(`   ⚠️  Watching a path that does not exist: ${s.metrics.watchMissing}`);
    lines.push('');
  }
  lines.push(`🔍 ${monitoringLine(report)}`);
  lines.push(...pluginLines(report));
  return lines;
}

/** A plugin set aside (its setup failed or hung): the fleet runs without it, and status says so. */
function pluginLines(report: StatusReport): string[] {
  return (report.plugins ?? [])
    .filter((p) => p.state === 'failed')
    .map((p) => `❌ Plugin ${p.name}: failed (${p.why ?? 'set aside'}); the fleet runs without it`);
}

/** `healthy (health-http)`, or with several reporters, each one's word: `unhealthy by tcp-probe: refused; health-http: healthy`. */
function healthLine(s: ServiceStatus): string {
  if (s.health === null) return 'not probed';
  const failing = failingText(s);
  if (failing) return `${healthText[s.health]}, ${failing}${typeof s.metrics.lastProbeError === 'string' ? `: ${s.metrics.lastProbeError}` : ''}`;
  const reports = s.healthReports ?? [];
  if (reports.length <= 1) return `${healthText[s.health]}${s.healthBy && s.healthBy !== 'core' ? ` (${s.healthBy})` : ''}`;
  const others = reports.filter((r) => r.by !== s.healthBy).map((r) => `${r.by}: ${r.health}`);
  const own = reports.find((r) => r.by === s.healthBy);
  return `${healthText[s.health]} by ${s.healthBy}${own?.detail ? `: ${own.detail}` : ''}; ${others.join('; ')}`;
}

function responseText(s: ServiceStatus): string {
  const { responseClass, responseTimeP50Ms, responseTimeP95Ms } = s.metrics;
  const history = typeof responseTimeP50Ms === 'number' ? `; p50 ${Math.round(responseTimeP50Ms)}ms, p95 ${Math.round(Number(responseTimeP95Ms))}ms` : '';
  return `${Math.round(s.responseTimeMs ?? 0)}ms${responseClass ? ` (${responseClass}${history})` : ''}`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}
