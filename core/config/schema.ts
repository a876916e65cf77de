// zod/mini: the same validation as zod's classic API in functions instead of methods, and
// less resident memory in the supervisor (0.6 MB in bench W2). It has no default locale:
// English messages are registered here, once, for every schema in zmart.
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { parseDuration, parseSize } from '../units.js';

z.config(en());

/** The signals a service may be stopped with (`stop.signal`). */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGKILL'] as const;

/** A value written as a number or a string, parsed by `parse`; `expected` says what it must look like. */
function parsedFrom(parse: (value: number | string) => number | undefined, expected: string) {
  return z.pipe(
    z.union([z.number(), z.string()]),
    z.transform((value: number | string, ctx) => {
      const parsed = parse(value);
      if (parsed !== undefined) return parsed;
      ctx.issues.push({ code: 'custom', input: value, message: `expected ${expected}, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }),
  );
}

/** A duration: milliseconds or a string like '500ms', '30s', '2m'; parses to milliseconds. */
export const duration = () => parsedFrom(parseDuration, "a duration (milliseconds, or a string like '500ms', '30s', '2m')");

/** How often something repeats: a duration of at least 1 ms (0 would spin). */
export const interval = () => duration().check(z.refine((ms: number) => ms >= 1, 'expected an interval of at least 1ms (0 would run without pause)'));

/** A size: bytes or a string like '512MB'; parses to bytes. */
export const size = () => parsedFrom(parseSize, "a size (bytes, or a string like '512MB')");

/** An integer of at least `min` (and at most `max`). */
export const integer = (min: number, max?: number) => (max === undefined ? z.int().check(z.gte(min)) : z.int().check(z.gte(min), z.lte(max)));

/**
 * Waits that grow: `initial`, times `factor` (at least 1) after each try, at most `max`;
 * each key defaults to the given value, and so does the whole object when left out.
 */
export const backoff = (defaults: { initial: number; factor: number; max: number }) =>
  z.prefault(
    z.strictObject({
      initial: z._default(duration(), defaults.initial),
      factor: z._default(z.number().check(z.gte(1)), defaults.factor),
      max: z._default(duration(), defaults.max),
    }),
    {},
  );

const port = integer(1, 65535);

const restart = z.strictObject({
  policy: z._default(z.enum(['always', 'on-failure', 'never']), 'always'),
  maxRestarts: z._default(integer(0), 3),
  window: z._default(duration(), 600_000),
  backoff: backoff({ initial: 1000, factor: 2, max: 60_000 }),
  minUptime: z._default(duration(), 30_000),
  /** Restart on a schedule (croner syntax, local time; a seconds field may lead). */
  cron: z.optional(z.string().check(z.minLength(1))),
});

const nonEmpty = z.string().check(z.minLength(1));

/** No process can be given a NUL byte (execve ends a string at it): refused here, not looped on at start. */
const NO_NUL = 'holds a NUL byte, which no process can be given';
const noNul = z.refine<string>((text) => !text.includes('\0'), NO_NUL);

export const baseServiceShape = {
  title: z.optional(nonEmpty),
  command: z.union([
    z.string().check(z.trim(), z.minLength(1, 'expected a non-empty command'), noNul),
    z.array(z.string().check(noNul)).check(
      z.minLength(1, 'expected a non-empty argv array'),
      // Checks all run, the one above failing or not: an empty array has no argv[0] to look at.
      z.refine((a: string[]) => a.length === 0 || a[0]!.length > 0, 'the program (argv[0]) is empty'),
    ),
  ]),
  cwd: z.optional(nonEmpty),
  user: z.optional(nonEmpty),
  group: z.optional(nonEmpty),
  env: z._default(
    z.record(
      z.string().check(z.regex(/^[^=\0]+$/, 'a variable name is not empty and holds no = or NUL byte')),
      z.union([z.string().check(noNul), z.number(), z.boolean()]),
    ),
    {},
  ),
  envFile: z.optional(z.union([nonEmpty, z.array(nonEmpty).check(z.minLength(1))])),
  venv: z.optional(nonEmpty),
  port: z.optional(port),
  socket: z.optional(z.union([z.literal(true), z.strictObject({ host: z.optional(nonEmpty) })])),
  replicas: z._default(integer(1, 64), 1),
  image: z.optional(nonEmpty),
  readyAfter: z._default(duration(), 500),
  ready: z.optional(
    z.union([
      z.strictObject({ logLine: z.string().check(z.minLength(1)) }),
      z.strictObject({ path: z.string().check(z.startsWith('/')), interval: z.optional(interval()), timeout: z.optional(duration()) }),
      z.strictObject({ tcp: z.literal(true), interval: z.optional(interval()), timeout: z.optional(duration()) }),
      z.strictObject({
        exec: z.union([z.string().check(z.minLength(1)), z.array(z.string()).check(z.minLength(1))]),
        interval: z.optional(interval()),
        timeout: z.optional(duration()),
      }),
    ]),
  ),
  restart: z.prefault(restart, {}),
  stop: z.prefault(
    z.strictObject({
      signal: z._default(z.enum(STOP_SIGNALS), 'SIGTERM'),
      timeout: z._default(duration(), 10_000),
      mode: z._default(z.enum(['group', 'main']), 'group'),
    }),
    {},
  ),
  dependsOn: z._default(
    z.pipe(
      z.union([z.array(z.string()), z.record(z.string(), z.enum(['started', 'healthy']))]),
      z.transform((d: string[] | Record<string, 'started' | 'healthy'>) => (Array.isArray(d) ? Object.fromEntries(d.map((n) => [n, 'started' as const])) : d)),
    ),
    {},
  ),
  logs: z.prefault(z.strictObject({ timestamps: z._default(z.boolean(), true) }), {}),
};

/** A service name: it names files (`<name>.pid`, `<name>.log`), so letters, digits, _ . - and at most 64 of them. */
/** Names of zmart's own files and logs: a service so named would write into them, or be mistaken for them. */
export const RESERVED_NAMES: Record<string, string> = {
  monitor: "monitor.pid is the supervisor's",
  zmart: "zmart.log is the supervisor's own log, and 'zmart logs zmart' shows it",
  startup: "'zmart logs startup' shows the startup log",
  shutdown: "'zmart logs shutdown' shows the shutdown log",
  server_startup: 'server_startup.log is the startup log',
  server_shutdown: 'server_shutdown.log is the shutdown log',
  server_monitor: 'server_monitor.log is the monitor log',
};

export const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export const topLevelShape = {
  pidDir: z._default(nonEmpty, 'server_pids'),
  logDir: z._default(nonEmpty, 'logs'),
  debug: z._default(z.boolean(), false),
  monitor: z.prefault(z.strictObject({ interval: z._default(interval(), 30_000), timeout: z._default(duration(), 10_000) }), {}),
  /** How long the supervisor waits for a plugin's setup (and `supervisor:start`), `service:prestart` and teardown. */
  pluginTimeouts: z.prefault(
    z.strictObject({ setup: z._default(interval(), 10_000), prestart: z._default(interval(), 10_000), teardown: z._default(interval(), 5_000) }),
    {},
  ),
  plugins: z.optional(z.array(z.unknown())),
};
