import { integer, interval, size, z } from '../../core/index.js';

export const pluginOptionsSchema = z.strictObject({
  /** How often every service's tree is sampled. */
  interval: interval(),
  /** Samples in a row over a limit before acting (default for services). */
  for: integer(1),
  /** How often the machine's available memory and free disk are looked at. */
  systemInterval: interval(),
  /** Alert when the machine's available memory falls under this (null: never). */
  minFreeMemory: z.nullable(size()),
  /** Alert when the disk of the log or pid folder has less free than this (null: never). */
  minFreeDisk: z.nullable(size()),
});
export type MemoryGuardOptions = z.output<typeof pluginOptionsSchema>;

export type MemoryGuardInput = z.input<typeof pluginOptionsSchema>;

export const DEFAULTS: MemoryGuardInput = { interval: '10s', for: 3, systemInterval: '30s', minFreeMemory: '256MB', minFreeDisk: '1GB' };

/** Per service: `services.<name>.memory`. */
export const serviceSchema = z
  .strictObject({
    /** The whole tree's resident memory (children included) above which it is restarted. */
    maxRss: z.optional(size().check(z.refine((bytes: number) => bytes > 0, 'expected a size above 0 (0 would restart it at every sample)'))),
    /** Samples in a row over maxRss (or maxCpu) before acting. */
    for: z.optional(integer(1)),
    /** % of one core (the tree's sum) above which an alert is raised. */
    maxCpu: z.optional(z.number().check(z.positive())),
  })
  .check(z.refine((m) => m.maxRss !== undefined || m.maxCpu !== undefined, 'set maxRss, maxCpu or both'));
export type ServiceMemory = z.output<typeof serviceSchema>;

export type ServiceMemoryInput = z.input<typeof serviceSchema>;
