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

export { formatDuration } from './format.js';
