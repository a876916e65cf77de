import { mkdirSync } from 'node:fs';
import { bucketOf, definePlugin, emptyPeriod, HistoryWriter, historyDir, isEmpty, type Minute } from '../../core/index.js';
import { DEFAULTS, optionsSchema } from './options.js';

/**
 * history: what `zmart report` and the dashboard's charts read. Every `sample` it notes
 * whether each service is up (running and not unhealthy) and its tree's memory; it counts
 * every probe's duration (in buckets) and every restart by reason; each minute goes to
 * `<pidDir>/history/` (core/history/store.ts), kept 24 hours, rolled into days kept 90. What the
 * minute under way holds is written when the supervisor stops, so a restart loses nothing.
 */
export default definePlugin({
  name: 'history',
  defaults: DEFAULTS,
  options: optionsSchema,
  setup(ctx) {
    const dir = historyDir(ctx.system.folders.pidDir);
    // made now, so that readers know the fleet records before its first minute is written
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const writer = new HistoryWriter(dir);
    const current = new Map<string, Minute>();
    let writing: Promise<void> = Promise.resolve();
    let failed = false;
    const write = (service: string, minute: Minute) => {
      writing = writing
        .then(() => writer.append(service, minute))
        .then(
          () => {
            if (failed) ctx.logger.info('history is written again');
            failed = false;
          },
          (error: unknown) => {
            if (!failed) ctx.logger.warn(`history not written (${error instanceof Error ? error.message : String(error)}): the minutes in between are lost`);
            failed = true;
          },
        );
    };
    /** The service's minute under way; the one before is written once the clock leaves it. */
    const minuteOf = (service: string): Minute => {
      const now = ctx.clock.now();
      const t = now - (now % 60_000);
      const open = current.get(service);
      if (open && open.t === t) return open;
      if (open) write(service, open);
      const minute = { t, ...emptyPeriod() };
      current.set(service, minute);
      return minute;
    };

    ctx.on('service:probe', ({ service, ok, durationMs }) => {
      const minute = minuteOf(service);
      if (ok) minute.histogram[bucketOf(durationMs)]! += 1;
      else minute.failures += 1;
    });
    ctx.on('service:restart', ({ service, reason }) => {
      const minute = minuteOf(service);
      minute.restarts[reason.kind] = (minute.restarts[reason.kind] ?? 0) + 1;
    });
    let busy = false;
    const sample = async () => {
      if (busy) return;
      busy = true;
      try {
        for (const s of ctx.services()) {
          const minute = minuteOf(s.name);
          minute.samples += 1;
          if (s.state === 'running' && s.health !== 'unhealthy') minute.up += 1;
          if (s.state !== 'running') continue;
          const usage = await ctx.processes.usage(s.name);
          if (usage) minute.rssPeak = Math.max(minute.rssPeak ?? 0, usage.rssBytes);
        }
      } finally {
        busy = false;
      }
    };
    const timer = ctx.scheduler.setInterval(() => void sample(), ctx.options.sample);
    void sample();
    return async () => {
      timer.cancel();
      for (const [service, minute] of current) if (!isEmpty(minute)) write(service, minute);
      current.clear();
      await writing;
    };
  },
});
