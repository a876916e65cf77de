import { duration, listenAddress, z } from '../../core/index.js';

const increasing = (ms: number[]) => ms.every((value, i) => value > 0 && (i === 0 || value > ms[i - 1]!));

export const optionsSchema = z.strictObject({
  /** Where Prometheus scrapes: `host:port`. */
  listen: listenAddress(),
  /** The path Prometheus scrapes. */
  path: z.string().check(z.startsWith('/')),
  /**
   * The upper bounds of the probe-duration histogram's buckets (durations, increasing). Each
   * bucket is a series per service on every scrape: the defaults run from a quick local answer
   * to health-http's default timeout, with its default slow threshold (2 s) among them.
   */
  probeBuckets: z
    .array(duration())
    .check(z.minLength(1), z.maxLength(20), z.refine(increasing, 'expected durations above 0, each larger than the one before (at most 20)')),
  /**
   * Host names a scrape may name in its Host header besides IP addresses and localhost (which
   * always pass): a page elsewhere cannot read the metrics through DNS rebinding, which names
   * its own domain.
   */
  allowedHosts: z.array(z.string().check(z.minLength(1))),
});

export type MetricsOptions = z.output<typeof optionsSchema>;
export type MetricsInput = z.input<typeof optionsSchema>;

export const DEFAULTS: MetricsInput = {
  listen: '127.0.0.1:9464',
  path: '/metrics',
  probeBuckets: ['5ms', '25ms', '100ms', '500ms', '2s', '10s'],
  allowedHosts: [],
};
