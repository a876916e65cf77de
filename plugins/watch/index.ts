import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
import { definePlugin, duration, type FileWatch, z } from '../../core/index.js';

const paths = z.array(z.string().check(z.minLength(1))).check(z.minLength(1));

/** Per service: `watch: ['src']`, or `{ paths, ignore, debounce }`. */
const serviceSchema = z.union([
  paths,
  z.strictObject({
    paths,
    /** A name (`dist`: any folder or file so named), a path relative to the service's cwd, or `*.ext`. */
    ignore: z.optional(z.array(z.string().check(z.minLength(1)))),
    debounce: z.optional(duration()),
  }),
]);

declare module '../../core/index.js' {
  interface ServiceOptionsRegistry {
    /** Restart the service when a file under these paths changes (plugin watch). */
    watch: z.input<typeof serviceSchema>;
  }
}

/** Passed over always: dependencies and version control (the log and pid folders are added per fleet). */
const ALWAYS_IGNORED = ['node_modules', '.git'];

/** True when `path` matches one of the ignore entries (see the schema), relative to `cwd`. */
export function ignoredBy(entries: string[], cwd: string, path: string): boolean {
  const rel = relative(cwd, path);
  const parts = rel.split(sep);
  return entries.some((entry) => {
    if (entry.startsWith('*.')) return basename(path).endsWith(entry.slice(1));
    if (isAbsolute(entry)) return path === entry || path.startsWith(entry + sep);
    if (!entry.includes('/')) return parts.includes(entry);
    return rel === entry || rel.startsWith(entry + sep);
  });
}

/**
 * watch: restarts a service when a file under its watched paths is added, changed or removed
 * (reason `watch`; it spends no restart budget), once changes have been quiet for `debounce`.
 * node_modules, .git and zmart's log and pid folders are never watched.
 */
export default definePlugin({
  name: 'watch',
  defaults: { debounce: '500ms' },
  options: z.strictObject({ debounce: duration() }),
  service: { key: 'watch', schema: serviceSchema },
  setup(ctx) {
    const watches: FileWatch[] = [];
    const folders = [ctx.system.folders.logDir, ctx.system.folders.pidDir];
    for (const service of ctx.services()) {
      const options = ctx.serviceOptions(service.name);
      const config = ctx.serviceConfig(service.name);
      if (!options || !config) continue;
      const spec = Array.isArray(options) ? { paths: options, ignore: [], debounce: undefined } : options;
      const ignore = [...ALWAYS_IGNORED, ...folders, ...(spec.ignore ?? [])];
      const debounceMs = spec.debounce ?? ctx.options.debounce;
      const changed = new Set<string>();
      let timer: { cancel(): void } | null = null;
      const restart = () => {
        timer = null;
        const files = [...changed].map((p) => relative(config.cwd, p));
        changed.clear();
        const shown = files.slice(0, 3).join(', ') + (files.length > 3 ? ` and ${files.length - 3} more` : '');
        ctx.logger.info(`${service.name}: changed: ${shown}: restarting`);
        ctx.restart(service.name, { kind: 'watch', detail: `changed: ${shown}` });
      };
      const watch = ctx.files.watch(spec.paths, { cwd: config.cwd, ignore: (path) => ignoredBy(ignore, config.cwd, path) }, (path) => {
        changed.add(path);
        timer?.cancel();
        timer = ctx.scheduler.setTimeout(restart, debounceMs);
      });
      watches.push(watch);
      // a typo in a path would watch nothing, silently: said at start, and in status
      if (watch.missing.length > 0) {
        ctx.logger.warn(`${service.name}: watching ${watch.missing.join(', ')}, which does not exist (yet): no change there is seen until it does`);
        ctx.reportMetrics(service.name, { watchMissing: watch.missing.join(', ') });
      }
      ctx.logger.info(`${service.name}: watching ${spec.paths.map((p) => resolve(config.cwd, p)).join(', ')} (debounce ${debounceMs}ms)`);
    }
    return async () => {
      await Promise.all(watches.map((w) => w.close()));
    };
  },
});
