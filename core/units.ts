import ms from 'ms';
import bytes from 'bytes';

/** A duration as written in config: milliseconds, or a string such as '500ms', '30s', '2m'. */
export type Duration = number | string;
/** A size as written in config: bytes, or a string such as '512MB'. */
export type Size = number | string;

/** Milliseconds for a duration, or undefined when it cannot be read. */
export function parseDuration(value: Duration): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const parsed = ms(trimmed as ms.StringValue);
  return typeof parsed === 'number' && Number.isFinite(parsed) && parsed >= 0 ? parsed : undefined;
}

/** Bytes for a size, or undefined when it cannot be read. */
export function parseSize(value: Size): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const parsed = bytes.parse(value.trim());
  return parsed !== null && Number.isFinite(parsed) && parsed >= 0 ? parsed : undefined;
}

/** '2h 15m', '45s', '120ms': how the seed's status shows an uptime. */
export function formatDuration(msValue: number): string {
  if (msValue < 1000) return `${Math.round(msValue)}ms`;
  const s = Math.floor(msValue / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}
