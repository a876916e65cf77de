import { relative } from 'node:path';
import type { ProbeDescription } from '../../core/probe.js';
import { zmartDefaults } from './defaults.js';
import type { DeployedFleet, DeployedService } from './model.js';

/** '30s', '2m', '1500ms': a duration as a person writes it in a config. */
export function durationText(ms: number): string | number {
  if (ms === 0) return 0;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** '512MB', '1GB': whole units where they fit, else bytes. */
function sizeText(bytes: number): string | number {
  for (const [unit, size] of [
    ['GB', 1024 ** 3],
    ['MB', 1024 ** 2],
    ['KB', 1024],
  ] as const)
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  return bytes;
}

/** A comment's text: no line terminator of JavaScript's (U+2028 and U+2029 among them) may end it early. */
export const commentText = (text: string): string => text.replace(/[\p{Cc}\u2028\u2029]/gu, ' ');

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A value as TypeScript source: strings as JSON (valid TS string literals), keys bare where they can be. */
function literal(value: unknown, indent: string): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    const one = `[${value.map((v) => literal(v, inner)).join(', ')}]`;
    return one.length <= 100 ? one : `[\n${value.map((v) => `${inner}${literal(v, inner)},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  const key = (k: string) => (IDENTIFIER.test(k) ? k : JSON.stringify(k));
  const one = `{ ${entries.map(([k, v]) => `${key(k)}: ${literal(v, inner)}`).join(', ')} }`;
  return one.length <= 100 && !one.includes('\n') ? one : `{\n${entries.map(([k, v]) => `${inner}${key(k)}: ${literal(v, inner)},`).join('\n')}\n${indent}}`;
}

/** Only what differs from zmart's defaults: an imported config says what its source said, no more. */
function changed<T extends object>(given: T, defaults: T, render: Partial<Record<keyof T, (v: never) => unknown>> = {}): Partial<Record<keyof T, unknown>> {
  const out: Partial<Record<keyof T, unknown>> = {};
  for (const key of Object.keys(given) as (keyof T)[]) {
    if (JSON.stringify(given[key]) === JSON.stringify(defaults[key])) continue;
    const show = render[key];
    out[key] = show ? show(given[key] as never) : given[key];
  }
  return out;
}

/** A probe as health-http's options (or `ready`'s), relative to its service's port where it can be. */
function probeInput(p: ProbeDescription, port: number | null, forReady: boolean): Record<string, unknown> {
  const d = zmartDefaults().probe;
  const what =
    p.probe.kind === 'exec'
      ? { exec: p.probe.command }
      : p.probe.kind === 'tcp'
        ? { tcp: true }
        : port !== null && p.probe.url.startsWith(`http://127.0.0.1:${port}/`)
          ? { path: p.probe.url.slice(`http://127.0.0.1:${port}`.length) }
          : { url: p.probe.url };
  const timing = {
    interval: p.intervalMs === d.intervalMs ? undefined : durationText(p.intervalMs),
    timeout: p.timeoutMs === d.timeoutMs ? undefined : durationText(p.timeoutMs),
  };
  if (forReady) return { ...what, ...timing };
  const [low, high] = p.expect;
  return {
    ...what,
    ...timing,
    failureThreshold: p.failureThreshold === d.failureThreshold ? undefined : p.failureThreshold,
    startPeriod: p.startPeriodMs === d.startPeriodMs ? undefined : durationText(p.startPeriodMs),
    expect: JSON.stringify(p.expect) === JSON.stringify(d.expect) ? undefined : low === high ? low : `${low}-${high}`,
    slow:
      JSON.stringify(p.slow) === JSON.stringify(d.slow)
        ? undefined
        : p.slow === null
          ? false
          : { threshold: durationText(p.slow.thresholdMs), count: p.slow.count },
  };
}

/** One service as the `services.<name>` input of a zmart config written in `dir`. */
export function serviceInput(s: DeployedService, dir: string): Record<string, unknown> {
  const d = zmartDefaults().service;
  const restart = changed(s.restart, d.restart, {
    windowMs: (v: number) => durationText(v),
    minUptimeMs: (v: number) => durationText(v),
    backoff: (b: DeployedService['restart']['backoff']) => changed(b, d.restart.backoff, { initialMs: durationText, maxMs: durationText }),
  });
  const renamed = (o: Record<string, unknown>, names: Record<string, string>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [names[k] ?? k, v]));
  const stop = changed(s.stop, d.stop, { timeoutMs: durationText });
  const cwd = relative(dir, s.cwd) || undefined;
  const envFiles = s.envFiles.map((f) => relative(s.cwd, f));
  const env = { ...s.env.plain, ...s.env.secret };
  const readyInput = s.readyLogLine !== null ? { logLine: s.readyLogLine } : s.ready ? probeInput(s.ready, s.port, true) : undefined;
  return {
    title: s.title === s.name ? undefined : s.title,
    command: s.command,
    cwd,
    user: s.user ?? undefined,
    group: s.group ?? undefined,
    envFile: envFiles.length === 0 ? undefined : envFiles.length === 1 ? envFiles[0] : envFiles,
    env: Object.keys(env).length > 0 ? env : undefined,
    venv: s.venv ?? undefined,
    port: s.port ?? undefined,
    socket: s.socket === null ? undefined : s.socket.host === '127.0.0.1' ? true : s.socket,
    replicas: s.replicas > 1 ? s.replicas : undefined,
    image: s.image ?? undefined,
    readyAfter: s.readyAfterMs === d.readyAfterMs ? undefined : durationText(s.readyAfterMs),
    ready: readyInput,
    dependsOn: Object.keys(s.dependsOn).length > 0 ? s.dependsOn : undefined,
    restart: Object.keys(restart).length > 0 ? renamed(restart, { windowMs: 'window', minUptimeMs: 'minUptime' }) : undefined,
    stop: Object.keys(stop).length > 0 ? renamed(stop, { timeoutMs: 'timeout' }) : undefined,
    health: s.health ? probeInput(s.health, s.port, false) : undefined,
    memory: s.memoryMaxBytes === null ? undefined : { maxRss: sizeText(s.memoryMaxBytes) },
    watch: s.watch === null ? undefined : s.watch.ignore.length === 0 ? s.watch.paths : s.watch,
  };
}

/** Backoff keys as a config writes them. */
function configKeys(service: Record<string, unknown>): Record<string, unknown> {
  const restart = service.restart as { backoff?: Record<string, unknown> } | undefined;
  if (restart?.backoff) restart.backoff = Object.fromEntries(Object.entries(restart.backoff).map(([k, v]) => [k.replace(/Ms$/, ''), v]));
  return service;
}

/**
 * The fleet as a typed, commented `zmart.config.ts` in `dir`: one block per service, each under
 * a comment saying where it came from and what of it did not carry.
 */
export function configText(fleet: DeployedFleet, dir: string, notes: { header: string[]; byService: Map<string, string[]> }): string {
  const lines = [
    "import { defineConfig } from 'zmart';",
    '',
    ...notes.header.map((line) => `// ${commentText(line)}`),
    'export default defineConfig({',
    '  services: {',
  ];
  for (const s of fleet.services) {
    for (const note of notes.byService.get(s.name) ?? []) lines.push(`    // ${commentText(note)}`);
    const key = IDENTIFIER.test(s.name) ? s.name : JSON.stringify(s.name);
    lines.push(`    ${key}: ${literal(configKeys(serviceInput(s, dir)), '    ')},`);
  }
  lines.push('  },', '});', '');
  return lines.join('\n');
}
