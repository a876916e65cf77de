// An example plugin that reads a service's output as it is written (`ctx.logs.follow`): it
// restarts a service whose log says it is done for (a line with `FATAL`, or your pattern),
// though its process still runs. Core applies the restart budget and backoff as for any
// restart request.
//
// In zmart.config.ts:  plugins: [fatalLine()]
// and per service:     restartOnLine: 'FATAL'          (a substring, or '/regex/flags')
import { definePlugin, z } from 'zmart';

declare module 'zmart' {
  interface ServiceOptionsRegistry {
    /** Restart the service when a line of its output matches (plugin fatal-line). */
    restartOnLine: string;
  }
}

/** A substring, or `/regex/flags`. */
export function lineMatcher(pattern: string): (line: string) => boolean {
  const regex = /^\/(.+)\/([a-z]*)$/.exec(pattern);
  if (!regex) return (line) => line.includes(pattern);
  const compiled = new RegExp(regex[1]!, regex[2]);
  return (line) => compiled.test(line);
}

export default definePlugin({
  name: 'fatal-line',
  defaults: {},
  service: {
    key: 'restartOnLine',
    schema: z.string().check(z.minLength(1)),
  },
  setup(ctx) {
    for (const name of ctx.serviceNames()) {
      const pattern = ctx.serviceOptions(name);
      if (pattern === undefined) continue;
      const matches = lineMatcher(pattern);
      let askedFor: number | null = null; // the pid a restart was asked for: one request per run
      ctx.logs.follow(name, (line) => {
        if (line.lost > 0) ctx.logger.warn(`${name}: ${line.lost} lines went by unread (the service wrote faster than they were read)`);
        if (!matches(line.text)) return;
        const service = ctx.service(name);
        if (service?.state !== 'running' || service.pid === askedFor) return;
        askedFor = service.pid;
        ctx.restart(name, { kind: 'unhealthy', detail: `its log said: ${line.text.slice(0, 200)}` });
      });
    }
  },
});
