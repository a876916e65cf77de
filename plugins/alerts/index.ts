import { definePlugin, type Alert } from '../../core/index.js';
import { DEFAULTS, optionsSchema } from './options.js';
import { WebhookQueue, type Delivery } from './webhook-queue.js';

const LEVELS = { info: 0, warning: 1, critical: 2 } as const;
/** Kinds that mean a service is in trouble: its next `ready` is announced as a recovery. */
const TROUBLE = new Set(['restart', 'service-failed', 'service-down', 'unhealthy', 'slow', 'start-refused', 'port-conflict']);

/**
 * alerts: delivers every alert (from core and plugins: down, failed, restarts with their
 * reason, unhealthy, slow, memory, resources, port conflicts) to the monitor log, a webhook
 * and/or a command. Repeats are throttled per service and kind, with a count of what was held
 * back; a service that comes back after trouble is announced once as recovered.
 */
export default definePlugin({
  name: 'alerts',
  defaults: DEFAULTS,
  options: optionsSchema,
  setup(ctx) {
    const { throttle, minLevel, webhook, command, commandTimeout } = ctx.options;
    const lastSent = new Map<string, number>();
    const suppressed = new Map<string, number>();
    const troubled = new Set<string>();
    const queue = webhook ? new WebhookQueue(ctx, webhook) : null;

    const deliver = (alert: Alert & { at: string }) => {
      if (LEVELS[alert.level] < LEVELS[minLevel]) return;
      const key = `${alert.service ?? '*'}:${alert.kind}`;
      const now = ctx.clock.now();
      const last = lastSent.get(key);
      if (last !== undefined && now - last < throttle) {
        suppressed.set(key, (suppressed.get(key) ?? 0) + 1);
        ctx.logger.debug(`alert ${key} held back (throttle): ${alert.message}`);
        return;
      }
      lastSent.set(key, now);
      const delivery: Delivery = { ...alert, suppressed: suppressed.get(key) ?? 0 };
      suppressed.delete(key);
      const more = delivery.suppressed > 0 ? ` (+${delivery.suppressed} like it held back)` : '';
      // core has written the alert to the monitor log already; this line says it went out
      ctx.logger.debug(`delivering alert ${alert.level} ${alert.kind}${alert.service ? ` ${alert.service}` : ''}: ${alert.message}${more}`);
      queue?.push(delivery);
      if (command) void runCommand(delivery);
    };

    const runCommand = async (delivery: Delivery) => {
      const result = await ctx.processes.run(command!, {
        input: JSON.stringify(delivery),
        env: {
          ZMART_ALERT_LEVEL: delivery.level,
          ZMART_ALERT_KIND: delivery.kind,
          ZMART_ALERT_SERVICE: delivery.service ?? '',
          ZMART_ALERT_MESSAGE: delivery.message,
          ZMART_ALERT_SUPPRESSED: String(delivery.suppressed),
        },
        timeoutMs: commandTimeout,
      });
      if (result.code !== 0) ctx.logger.warn(`alert command exited ${result.code}${result.stderr ? `: ${result.stderr.split('\n')[0]}` : ''}`);
    };

    const at = () => new Date(ctx.clock.now()).toISOString();
    ctx.on('alert', (alert) => {
      if (alert.service && TROUBLE.has(alert.kind)) troubled.add(alert.service);
      deliver(alert);
    });
    ctx.on('service:health', ({ service, health, detail }) => {
      if (health !== 'unhealthy' && health !== 'slow') return;
      troubled.add(service);
      const title = ctx.service(service)?.title ?? service;
      const message = `${title} is ${health === 'slow' ? 'responding slowly' : 'not answering its health check'}${detail ? `: ${detail}` : ''}`;
      deliver({ level: 'warning', kind: health, service, message, at: at() });
    });
    ctx.on('service:ready', ({ service }) => {
      if (!troubled.delete(service)) return;
      const title = ctx.service(service)?.title ?? service;
      deliver({ level: 'info', kind: 'recovered', service, message: `${title} is up again`, at: at() });
    });
    return () => queue?.stop();
  },
});
