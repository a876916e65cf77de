/** Human formats for durations and lists of names: no dependencies, so that `zmart status` stays fast. */

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

/** 'api, dashboard'; past `max` names, the first few and how many more: a line, not a wall. */
export function formatNames(names: string[], max = 8): string {
  if (names.length <= max) return names.join(', ');
  const shown = max - 2;
  return `${names.slice(0, shown).join(', ')} and ${names.length - shown} more`;
}
