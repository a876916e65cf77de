import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { loadConfig } from '../../core/config/load.js';
import { ZmartError } from '../../core/errors.js';
import { parseDuration } from '../../core/units.js';
import { addTo, type Day, emptyPeriod, historyDir, percentile, readDays } from '../../core/history/store.js';
import { builtinPlugins } from '../builtins.js';
import type { Output } from '../output.js';
import { formatBytes } from '../render/status-text.js';

interface DayReport {
  date: string;
  uptimePercent: number | null;
  restarts: number;
  p50Ms: number | null;
  p95Ms: number | null;
  rssPeakBytes: number | null;
  /** Minutes the supervisor recorded, of the day's 1440. */
  recordedMinutes: number;
}

interface ServiceReport extends Omit<DayReport, 'date' | 'recordedMinutes'> {
  name: string;
  restartsByReason: Record<string, number>;
  failedProbes: number;
  /** Share of the period the history covers (the supervisor ran with the history plugin). */
  recordedPercent: number;
  days: DayReport[];
}

const uptime = (d: { samples: number; up: number }) => (d.samples > 0 ? Math.round((d.up / d.samples) * 1000) / 10 : null);
const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

/** `zmart report [--since 30d] [--json]`: per service uptime, restarts by reason, response times per day, memory peak. */
export async function report(options: { config?: string; since?: string; json?: boolean }, out: Output): Promise<number> {
  const since = options.since ?? '30d';
  const sinceMs = parseDuration(since);
  if (sinceMs === undefined || sinceMs <= 0) throw new ZmartError('ZMART_USAGE', `--since: expected a duration like '30d', '12h' or '90m', got '${since}'`);
  const config = await loadConfig({ configPath: options.config, builtins: builtinPlugins });
  const dir = historyDir(config.pidDir);
  if (!existsSync(dir)) {
    out.error(`no history for this fleet in ${dir}: add the history plugin (import history from 'zmart/plugins/history') to record it`);
    return 1;
  }
  const now = Date.now();
  const from = now - sinceMs;
  const periodMinutes = Math.max(1, Math.round(sinceMs / 60_000));
  const services: ServiceReport[] = config.services.map((s) => {
    const days = readDays(dir, s.name, from);
    const total = { ...emptyPeriod(), minutes: 0 };
    for (const d of days) {
      addTo(total, d);
      total.minutes += d.minutes;
    }
    return {
      name: s.name,
      uptimePercent: uptime(total),
      restarts: sum(total.restarts),
      restartsByReason: total.restarts,
      failedProbes: total.failures,
      p50Ms: percentile(total.histogram, 0.5),
      p95Ms: percentile(total.histogram, 0.95),
      rssPeakBytes: total.rssPeak,
      recordedPercent: Math.min(100, Math.round((total.minutes / periodMinutes) * 1000) / 10),
      days: days.map((d: Day) => ({
        date: d.date,
        uptimePercent: uptime(d),
        restarts: sum(d.restarts),
        p50Ms: percentile(d.histogram, 0.5),
        p95Ms: percentile(d.histogram, 0.95),
        rssPeakBytes: d.rssPeak,
        recordedMinutes: d.minutes,
      })),
    };
  });
  if (options.json) {
    out.line(JSON.stringify({ fleet: basename(config.root), since, from: new Date(from).toISOString(), to: new Date(now).toISOString(), services }, null, 2));
    return 0;
  }
  out.line(`zmart report: ${basename(config.root)}, the last ${since} (since ${new Date(from).toISOString().slice(0, 16).replace('T', ' ')})`);
  const ms = (v: number | null) => (v === null ? '-' : `${v} ms`);
  const pct = (v: number | null) => (v === null ? '-' : `${v}%`);
  const bytes = (v: number | null) => (v === null ? '-' : formatBytes(v));
  for (const s of services) {
    const reasons = Object.entries(s.restartsByReason)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    out.line('');
    out.line(
      `${s.name}: uptime ${pct(s.uptimePercent)}, ${s.restarts} restart${s.restarts === 1 ? '' : 's'}${reasons ? ` (${reasons})` : ''}, response p50 ${ms(s.p50Ms)} p95 ${ms(s.p95Ms)}, memory peak ${bytes(s.rssPeakBytes)}; recorded ${s.recordedPercent}% of the period`,
    );
    for (const d of s.days) {
      out.line(
        `  ${d.date}  uptime ${pct(d.uptimePercent).padStart(6)}  restarts ${String(d.restarts).padStart(3)}  p50 ${ms(d.p50Ms).padStart(8)}  p95 ${ms(d.p95Ms).padStart(8)}  peak ${bytes(d.rssPeakBytes).padStart(8)}`,
      );
    }
  }
  return 0;
}
