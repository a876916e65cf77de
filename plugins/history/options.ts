import { interval, z } from '../../core/index.js';

export const optionsSchema = z.strictObject({
  /** How often each service's state and memory are sampled (its uptime's grain). */
  sample: interval(),
});

export type HistoryOptions = z.output<typeof optionsSchema>;
export type HistoryInput = z.input<typeof optionsSchema>;

export const DEFAULTS: HistoryInput = { sample: '10s' };
