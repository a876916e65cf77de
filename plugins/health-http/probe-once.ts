import type { PluginContext } from '../../core/index.js';
import type { ProbeSettings } from './options.js';
import type { ProbeOutcome } from './probe-tracker.js';

/** One probe, by its means (HTTP GET, TCP connect, command); never throws. */
export async function probeOnce(ctx: PluginContext<unknown, unknown>, settings: ProbeSettings): Promise<ProbeOutcome> {
  const { probe, timeoutMs } = settings;
  const t0 = ctx.clock.now();
  const failed = (error: string): ProbeOutcome => ({ ok: false, error, durationMs: ctx.clock.now() - t0 });
  try {
    if (probe.kind === 'http') {
      const { status, durationMs } = await ctx.http.probe(probe.url, { timeoutMs });
      return { ok: true, status, durationMs };
    }
    if (probe.kind === 'tcp') return { ok: true, status: null, ...(await ctx.http.connect('127.0.0.1', probe.port, { timeoutMs })) };
    const result = await ctx.processes.run(probe.command, { timeoutMs });
    if (result.timedOut) return failed(`no answer within ${timeoutMs}ms`);
    if (result.code !== 0) return failed(`exited with code ${result.code}${result.stderr ? `: ${result.stderr.split('\n')[0]}` : ''}`);
    return { ok: true, status: null, durationMs: ctx.clock.now() - t0 };
  } catch (error) {
    return failed(error instanceof Error ? error.message : String(error));
  }
}
