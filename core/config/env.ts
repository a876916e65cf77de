import type { ConfigIssue } from '../errors.js';

/**
 * The seed's environment variables, as overrides of the config file (the environment wins):
 * API_PORT / DASHBOARD_PORT -> services.api.port / services.dashboard.port,
 * MAX_RESTART_ATTEMPTS -> every service's restart.maxRestarts,
 * MONITOR_INTERVAL / HEALTH_CHECK_TIMEOUT (seconds) -> monitor.interval / monitor.timeout,
 * PID_DIR -> pidDir, DEBUG=true -> debug.
 */
type Raw = Record<string, unknown>;

export function applyEnvOverrides(
  raw: Raw,
  env: Record<string, string | undefined>,
): { config: Raw; issues: ConfigIssue[]; forced: { intervalMs?: number; timeoutMs?: number } } {
  const issues: ConfigIssue[] = [];
  const config: Raw = { ...raw };
  const services = isObject(raw.services) ? { ...(raw.services as Record<string, unknown>) } : raw.services;
  config.services = services;

  const integer = (name: string, min: number, max: number): number | undefined => {
    const text = env[name];
    if (text === undefined || text.trim() === '') return undefined;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      issues.push({ path: `env ${name}`, message: `expected a whole number from ${min} to ${max}, got ${JSON.stringify(text)}` });
      return undefined;
    }
    return value;
  };
  const editService = (name: string, edit: (service: Raw) => void) => {
    if (!isObject(services) || !isObject(services[name])) return;
    const copy = { ...(services[name] as Raw) };
    edit(copy);
    services[name] = copy;
  };

  for (const [variable, service] of [
    ['API_PORT', 'api'],
    ['DASHBOARD_PORT', 'dashboard'],
  ] as const) {
    const port = integer(variable, 1, 65535);
    if (port !== undefined) editService(service, (s) => (s.port = port));
  }
  const maxRestarts = integer('MAX_RESTART_ATTEMPTS', 0, 1_000_000);
  if (maxRestarts !== undefined && isObject(services)) {
    for (const name of Object.keys(services)) {
      editService(name, (s) => (s.restart = { ...(isObject(s.restart) ? s.restart : {}), maxRestarts }));
    }
  }
  const interval = integer('MONITOR_INTERVAL', 1, 86_400);
  const timeout = integer('HEALTH_CHECK_TIMEOUT', 1, 86_400);
  if (interval !== undefined || timeout !== undefined) {
    const monitor: Raw = { ...(isObject(raw.monitor) ? raw.monitor : {}) };
    if (interval !== undefined) monitor.interval = interval * 1000;
    if (timeout !== undefined) monitor.timeout = timeout * 1000;
    config.monitor = monitor;
  }
  if (env.PID_DIR !== undefined && env.PID_DIR.trim() !== '') config.pidDir = env.PID_DIR;
  if (env.DEBUG !== undefined && env.DEBUG !== '') {
    if (!['true', 'false', '1', '0'].includes(env.DEBUG)) {
      issues.push({ path: 'env DEBUG', message: `expected true or false, got ${JSON.stringify(env.DEBUG)}` });
    } else if (env.DEBUG === 'true' || env.DEBUG === '1') config.debug = true;
  }
  const forced = { ...(interval !== undefined ? { intervalMs: interval * 1000 } : {}), ...(timeout !== undefined ? { timeoutMs: timeout * 1000 } : {}) };
  return { config, issues, forced };
}

const isObject = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value);
