import { backoff, duration, integer, z } from '../../core/index.js';

const webhook = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  headers: z.optional(z.record(z.string(), z.string())),
  timeout: z._default(duration(), 5000),
  /** Tries after the first one fails (network error or 5xx). */
  retries: z._default(integer(0), 3),
  backoff: backoff({ initial: 1000, factor: 2, max: 30_000 }),
  /** Alerts waiting while the receiver is down; past this the oldest are dropped (and counted). */
  queue: z._default(integer(1), 100),
});

export const optionsSchema = z.strictObject({
  /** One alert per service and kind per window; the rest are counted and reported with the next. */
  throttle: duration(),
  /** Alerts below this level are only logged. */
  minLevel: z.enum(['info', 'warning', 'critical']),
  webhook: z.nullable(webhook),
  /** Run for each alert, with the alert as JSON on stdin and ZMART_ALERT_* variables. */
  command: z.nullable(z.union([z.string().check(z.minLength(1)), z.array(z.string()).check(z.minLength(1))])),
  commandTimeout: duration(),
});

export type AlertsOptions = z.output<typeof optionsSchema>;

/** What users write: `alerts({ ... })`. */
export type AlertsInput = z.input<typeof optionsSchema>;

export const DEFAULTS: AlertsInput = { throttle: '5m', minLevel: 'info', webhook: null, command: null, commandTimeout: '10s' };
