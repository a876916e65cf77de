import { listenAddress, z } from '../../core/index.js';

export const optionsSchema = z.strictObject({
  /** Where Prometheus scrapes: `host:port`. */
  listen: listenAddress(),
  /** The path Prometheus scrapes. */
  path: z.string().check(z.startsWith('/')),
});

export type MetricsOptions = z.output<typeof optionsSchema>;
export type MetricsInput = z.input<typeof optionsSchema>;

export const DEFAULTS: MetricsInput = { listen: '127.0.0.1:9464', path: '/metrics' };
