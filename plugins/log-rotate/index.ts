import { definePlugin, integer, interval, size, z } from '../../core/index.js';

const PERIODS = { hourly: 3_600_000, daily: 86_400_000 } as const;

const optionsSchema = z.strictObject({
  /** Rotate a log before it would grow past this (null: no size limit). */
  maxSize: z.nullable(size()),
  /** Rotate when the hour or the day (UTC) turns (null: no time rotation). */
  interval: z.nullable(z.enum(['hourly', 'daily'])),
  /** Rotated files kept per log. */
  keep: integer(0),
  /** gzip rotated files. */
  compress: z.boolean(),
  /** How often quiet logs are checked for a turned hour or day. */
  check: interval(),
});

/**
 * log-rotate: rotates every log zmart writes (each service's and its own) by size and/or
 * time, keeps `keep` rotated files per log, gzips them. The rotation itself happens in core's
 * log writer, between two whole lines: no line is lost, doubled or split, and a service
 * writing at full speed waits only for the rename.
 */
export default definePlugin({
  name: 'log-rotate',
  defaults: { maxSize: '10MB', interval: 'daily', keep: 7, compress: true, check: '1m' },
  options: optionsSchema,
  setup(ctx) {
    const { maxSize, interval, keep, compress, check } = ctx.options;
    ctx.logFiles.setRotation({ maxSize, periodMs: interval ? PERIODS[interval] : null, keep, compress });
    ctx.logger.info(
      `logs rotate ${[maxSize !== null ? `past ${maxSize} bytes` : '', interval ?? ''].filter(Boolean).join(' and ') || 'never'}, keeping ${keep}${compress ? ' gzipped' : ''}`,
    );
    ctx.on('log:rotated', ({ file, rotatedTo }) => ctx.logger.debug(`rotated ${file} -> ${rotatedTo}${compress ? '.gz' : ''}`));
    const timer = interval ? ctx.scheduler.setInterval(() => ctx.logFiles.rotateIfDue(), check) : null;
    return () => {
      timer?.cancel();
      ctx.logFiles.setRotation(null);
    };
  },
});
