import { z } from '../../core/index.js';

/** Where a view listens: `host:port` (`127.0.0.1:9464`, `[::1]:9464`). */
export const listenSchema = z
  .string()
  .check(z.refine((text: string) => /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(text), "expected 'host:port', like '127.0.0.1:9464'"));

export const optionsSchema = z.strictObject({
  listen: listenSchema,
  /** The path Prometheus scrapes. */
  path: z.string().check(z.startsWith('/')),
});

export type MetricsOptions = z.output<typeof optionsSchema>;
export type MetricsInput = z.input<typeof optionsSchema>;

export const DEFAULTS: MetricsInput = { listen: '127.0.0.1:9464', path: '/metrics' };
