import { listenAddress, z } from '../../core/index.js';

export const optionsSchema = z.strictObject({
  /** Where the page is served: `host:port`, loopback by default. */
  listen: listenAddress(),
  /**
   * What the restart, stop and start buttons send (an `Authorization: Bearer` header; the page
   * takes it once from `?token=`). Without one the page only shows. 16 characters at least.
   */
  token: z.optional(z.string().check(z.minLength(16, 'a token of 16 characters at least'))),
});

export type DashboardOptions = z.output<typeof optionsSchema>;
export type DashboardInput = z.input<typeof optionsSchema>;

export const DEFAULTS: DashboardInput = { listen: '127.0.0.1:9465' };
