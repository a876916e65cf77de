import { duration, interval, z } from '../../core/index.js';

export type ConflictPolicy = 'fail' | 'wait' | 'kill';

export const pluginOptionsSchema = z.strictObject({
  /** A stranger on the port: fail (refuse to start, default), wait for it to go, or kill it. */
  onConflict: z.enum(['fail', 'wait', 'kill']),
  /** `wait`: retry after initial, x factor each time, capped at max, giving up after limit. */
  wait: z.strictObject({ initial: duration(), factor: z.number().check(z.gte(1)), max: duration(), limit: duration() }),
  /** How long a leftover or a stranger being stopped gets before SIGKILL. */
  stopTimeout: duration(),
  /** How often a running service's port is checked. */
  interval: interval(),
});

export type PortGuardOptions = z.output<typeof pluginOptionsSchema>;

export type PortGuardInput = z.input<typeof pluginOptionsSchema>;

export const DEFAULTS: PortGuardInput = {
  onConflict: 'fail',
  wait: { initial: '500ms', factor: 2, max: '5s', limit: '30s' },
  stopTimeout: '5s',
  interval: '5s',
};

/** Per service (`services.<name>.portGuard`): its own conflict policy. */
export const serviceSchema = z.strictObject({ onConflict: z.optional(z.enum(['fail', 'wait', 'kill'])) });
export type ServicePortGuard = z.output<typeof serviceSchema>;
