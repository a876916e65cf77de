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

/**
 * Text from a service made safe for a terminal, as journalctl and less show it: each control
 * character (C0 but tab, DEL, C1) becomes `\xNN`, so a service's `\e[2J` or `\e]0;title\a`
 * is read, not obeyed. A backslash stays as it is.
 */
export function escapeControls(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
