import { z } from 'zod';
import { parseDuration, parseSize } from '../units.js';

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGKILL'] as const;

/** A duration: milliseconds or a string like '500ms', '30s', '2m'; parses to milliseconds. */
export const duration = () =>
  z.union([z.number(), z.string()]).transform((value, ctx) => {
    const parsed = parseDuration(value);
    if (parsed === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a duration (milliseconds, or a string like '500ms', '30s', '2m'), got ${JSON.stringify(value)}`,
      });
      return z.NEVER;
    }
    return parsed;
  });

/** A size: bytes or a string like '512MB'; parses to bytes. */
export const size = () =>
  z.union([z.number(), z.string()]).transform((value, ctx) => {
    const parsed = parseSize(value);
    if (parsed === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a size (bytes, or a string like '512MB'), got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return parsed;
  });

const port = z.number().int().min(1).max(65535);

const restart = z.strictObject({
  policy: z.enum(['always', 'on-failure', 'never']).default('always'),
  maxRestarts: z.number().int().min(0).default(3),
  window: duration().default(600_000),
  backoff: z
    .strictObject({
      initial: duration().default(1000),
      factor: z.number().min(1).default(2),
      max: duration().default(60_000),
    })
    .prefault({}),
  minUptime: duration().default(30_000),
});

export const baseServiceShape = {
  title: z.string().min(1).optional(),
  command: z.union([
    z.string().trim().min(1, 'expected a non-empty command'),
    z.array(z.string()).min(1, 'expected a non-empty argv array').refine((a) => a[0].length > 0, 'the program (argv[0]) is empty'),
  ]),
  cwd: z.string().min(1).optional(),
  env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  venv: z.string().min(1).optional(),
  port: port.optional(),
  readyAfter: duration().default(500),
  restart: restart.prefault({}),
  stop: z
    .strictObject({ signal: z.enum(SIGNALS).default('SIGTERM'), timeout: duration().default(10_000) })
    .prefault({}),
  dependsOn: z
    .union([z.array(z.string()), z.record(z.string(), z.enum(['started', 'healthy']))])
    .transform((d) => (Array.isArray(d) ? Object.fromEntries(d.map((n) => [n, 'started' as const])) : d))
    .default({}),
};

export const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export const topLevelShape = {
  pidDir: z.string().min(1).default('server_pids'),
  logDir: z.string().min(1).default('logs'),
  debug: z.boolean().default(false),
  monitor: z.strictObject({ interval: duration().default(30_000), timeout: duration().default(10_000) }).prefault({}),
  plugins: z.array(z.unknown()).optional(),
};
