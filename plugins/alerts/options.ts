import { duration, z, type Duration } from '../../core/index.js';

const webhook = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  headers: z.record(z.string(), z.string()).optional(),
  timeout: duration().default(5000),
  /** Tries after the first one fails (network error or 5xx). */
  retries: z.number().int().min(0).default(3),
  backoff: z.strictObject({ initial: duration().default(1000), factor: z.number().min(1).default(2), max: duration().default(30_000) }).prefault({}),
  /** Alerts waiting while the receiver is down; past this the oldest are dropped (and counted). */
  queue: z.number().int().min(1).default(100),
});

export const optionsSchema = z.strictObject({
  /** One alert per service and kind per window; the rest are counted and reported with the next. */
  throttle: duration(),
  /** Alerts below this level are only logged. */
  minLevel: z.enum(['info', 'warning', 'critical']),
  webhook: webhook.nullable(),
  /** Run for each alert, with the alert as JSON on stdin and ZMART_ALERT_* variables. */
  command: z.union([z.string().min(1), z.array(z.string()).min(1)]).nullable(),
  commandTimeout: duration(),
});

export type AlertsOptions = z.output<typeof optionsSchema>;

export interface AlertsInput {
  throttle: Duration;
  minLevel: 'info' | 'warning' | 'critical';
  webhook: {
    url: string;
    headers?: Record<string, string>;
    timeout?: Duration;
    retries?: number;
    backoff?: { initial?: Duration; factor?: number; max?: Duration };
    queue?: number;
  } | null;
  command: string | string[] | null;
  commandTimeout: Duration;
}

export const DEFAULTS: AlertsInput = { throttle: '5m', minLevel: 'info', webhook: null, command: null, commandTimeout: '10s' };
