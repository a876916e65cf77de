import { definePlugin, type PluginContext, type PortListener, type Timer } from '../../core/index.js';
import { DEFAULTS, pluginOptionsSchema, serviceSchema, type PortGuardOptions, type ServicePortGuard } from './options.js';

declare module '../../core/index.js' {
  interface ServiceOptionsRegistry {
    /** Port conflict policy for this service (plugin port-guard). */
    portGuard: ServicePortGuard;
  }
}

type Ctx = PluginContext<PortGuardOptions, ServicePortGuard>;

/** Stopping what holds the port is tried this many times before the start is refused. */
const MAX_STOP_ROUNDS = 3;

const describe = (l: PortListener) => `pid ${l.pid} (${l.command || '?'}) on ${l.address.includes(':') ? `[${l.address}]` : l.address}`;

/**
 * port-guard: for every service with a `port`.
 * - Before it starts: a leftover of this fleet on the port (proven by pid + start time) is
 *   stopped, gracefully then by force; a stranger is handled by `onConflict` (fail, wait, kill).
 * - While it runs: a port no longer held by the service's processes alone (taken over, shared
 *   with a stranger, or closed) is alerted and a restart with reason `port` is requested.
 * - After it stops: a port still held is reported.
 * Where the platform cannot tell who holds a port (no /proc, no lsof) it says so once and does nothing.
 */
export default definePlugin({
  name: 'port-guard',
  defaults: DEFAULTS,
  options: pluginOptionsSchema,
  service: { key: 'portGuard', schema: serviceSchema },
  setup(ctx) {
    let unsupportedSaid = false;
    const listeners = (port: number): PortListener[] | null => {
      const found = ctx.processes.listeners(port);
      if (found === null && !unsupportedSaid) {
        unsupportedSaid = true;
        ctx.logger.warn('cannot see which process holds a port on this machine (no /proc/net/tcp, no lsof): port checks are off');
      }
      return found;
    };

    // A service with `socket`: zmart binds its port itself (a stranger there fails that bind,
    // named) and holds it between its processes, so zmart is its holder too: nothing to guard.
    const guarded = (name: string) => (ctx.serviceConfig(name)?.port ?? null) !== null && !ctx.serviceConfig(name)?.socket;

    ctx.on('service:prestart', async ({ service, port, refuse }) => {
      if (port === null || !guarded(service)) return;
      const problem = await clearPort(ctx, service, port, listeners);
      if (problem) refuse(problem, 'port');
    });

    // Which services were seen holding their port since they started: closing it is then a fault.
    const held = new Set<string>();
    // The round runs while a service with a port runs: a fleet without ports never wakes for it.
    let timer: Timer | null = null;
    const hasPort = guarded;
    const watch = () => {
      timer ??= ctx.scheduler.setInterval(round, ctx.options.interval);
    };
    ctx.on('service:started', ({ service }) => {
      held.delete(service);
      if (hasPort(service)) watch();
    });
    const round = () => {
      let watched = 0;
      for (const name of ctx.serviceNames()) {
        if (!hasPort(name)) continue;
        const s = ctx.service(name);
        if (s?.state !== 'running' || s.port === null) continue;
        watched += 1;
        const found = listeners(s.port);
        if (found === null) return;
        const mine = new Set(ctx.processes.tree(s.name).map((p) => `${p.pid}:${p.startTime}`));
        // A listener outside the tree is looked at afresh before it is called a stranger: the
        // tree may have forked it since the snapshot the tree came from.
        const strangers = found.filter((l) => !mine.has(`${l.pid}:${l.startTime}`) && ctx.processes.ownerOf(l) !== s.name);
        const ours = found.filter((l) => !strangers.includes(l));
        if (strangers.length > 0) {
          conflict(ctx, s.name, `port ${s.port} ${ours.length > 0 ? 'is shared with' : 'was taken over by'} ${strangers.map(describe).join(', ')}`);
          held.delete(s.name);
        } else if (ours.length > 0) {
          held.add(s.name);
        } else if (held.has(s.name)) {
          held.delete(s.name);
          conflict(ctx, s.name, `port ${s.port} is no longer held by ${s.name}: nothing listens on it`);
        }
      }
      if (watched === 0) {
        timer?.cancel();
        timer = null;
      }
    };
    // set up again by a reload: the services that already run
    if (ctx.serviceNames().some((name) => hasPort(name) && ctx.service(name)?.state === 'running')) watch();

    ctx.on('service:stopped', ({ service }) => {
      const port = ctx.serviceConfig(service)?.port;
      if (port === null || port === undefined) return;
      const left = listeners(port) ?? [];
      if (left.length > 0) ctx.logger.warn(`${service}: port ${port} is still held after the stop by ${left.map(describe).join(', ')}`);
      else ctx.logger.debug(`${service}: port ${port} is free after the stop`);
    });

    return () => timer?.cancel();
  },
});

function conflict(ctx: Ctx, service: string, detail: string): void {
  ctx.logger.warn(`${service}: ${detail}`);
  ctx.alert({ level: 'warning', kind: 'port-conflict', service, message: detail });
  ctx.restart(service, { kind: 'port', detail });
}

/**
 * Frees `port` for `service`, or says why it cannot: leftovers of the fleet are stopped;
 * strangers are handled per the policy. Returns null when the port is free.
 */
async function clearPort(ctx: Ctx, service: string, port: number, listeners: (port: number) => PortListener[] | null): Promise<string | null> {
  const policy = ctx.serviceOptions(service)?.onConflict ?? ctx.options.onConflict;
  const { wait, stopTimeout } = ctx.options;
  let delay = wait.initial;
  const waitStart = ctx.clock.now();
  for (let round = 1; ; round += 1) {
    if (await ctx.processes.portFree(port)) return null; // the common case, without reading /proc
    const found = listeners(port);
    if (found === null || found.length === 0) return null;
    if (round > MAX_STOP_ROUNDS && found.every((l) => ctx.processes.ownerOf(l) !== null || policy === 'kill')) {
      return `port ${port} is still held by ${found.map(describe).join(', ')} after stopping it ${MAX_STOP_ROUNDS} times`;
    }
    const strangers: PortListener[] = [];
    for (const listener of found) {
      const owner = ctx.processes.ownerOf(listener);
      if (owner === null) {
        strangers.push(listener);
        continue;
      }
      const state = owner === service ? null : ctx.service(owner)?.state;
      if (state === 'running' || state === 'starting' || state === 'stopping') {
        const message = `port ${port} is held by ${describe(listener)} of service ${owner}, which runs: two services of this fleet cannot share a port`;
        ctx.logger.error(`${service}: ${message}`);
        return message;
      }
      ctx.logger.warn(`${service}: port ${port} is held by ${describe(listener)}, a leftover of ${owner}: stopping it`);
      await ctx.processes.terminate(listener, { reason: `leftover of ${owner} holding port ${port}`, timeoutMs: stopTimeout });
    }
    if (strangers.length === 0) continue; // look again: the port should be free now
    const who = strangers.map(describe).join(', ');
    if (policy === 'kill') {
      ctx.logger.warn(`${service}: port ${port} is held by ${who}, not started by zmart: stopping it (onConflict: kill)`);
      ctx.alert({ level: 'warning', kind: 'port-conflict', service, message: `port ${port} was held by ${who}: stopped it (onConflict: kill)` });
      for (const s of strangers)
        await ctx.processes.terminate(s, { reason: `holding port ${port} needed by ${service} (onConflict: kill)`, timeoutMs: stopTimeout });
      continue;
    }
    if (policy === 'wait' && ctx.clock.now() - waitStart + delay <= wait.limit) {
      ctx.logger.info(`${service}: port ${port} is held by ${who}: waiting ${delay}ms for it to go (onConflict: wait)`);
      await new Promise<void>((resolve) => ctx.scheduler.setTimeout(resolve, delay));
      delay = Math.min(delay * wait.factor, wait.max);
      continue;
    }
    const message =
      policy === 'wait'
        ? `port ${port} is still held by ${who} after waiting ${ctx.clock.now() - waitStart}ms`
        : `port ${port} is taken by ${who}, a process zmart did not start (onConflict: fail; use 'wait' or 'kill' to change that)`;
    ctx.logger.error(`${service}: ${message}`);
    ctx.alert({ level: 'critical', kind: 'port-conflict', service, message });
    return message;
  }
}
