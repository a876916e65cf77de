import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../../core/config/resolve.js';
import type { ExitInfo, ProcessHandle, ProcessIdentity, ProcessRunner, StopOptions } from '../../../../core/di/contracts.js';
import { HookBus } from '../../../../core/hook-bus.js';
import type { HookMap } from '../../../../core/hooks.js';
import { ServiceController } from '../../../../core/service/controller.js';
import { STATE_HOOKS, TRANSITIONS } from '../../../../core/service/state-machine.js';
import type { ServiceState } from '../../../../core/service/types.js';
import { FakeClock, MemoryLogs, MemoryPids } from '../../../../core/testing/index.js';

/**
 * A model-based test of one service's controller: random sequences of everything that can
 * happen to a service, on a fake runner and a fake clock, with invariants checked after
 * every step. A failure prints fast-check's seed and path; `SEED=... PATH=...` style replay
 * is `fc.assert(..., { seed, path })`.
 */

type Step =
  | { op: 'start' | 'stop' | 'restart' }
  | { op: 'crash'; code: number | null }
  | { op: 'request'; kind: 'unhealthy' | 'slow' | 'memory' | 'port' }
  | { op: 'advance'; ms: number }
  | { op: 'failNextSpawn' }
  | { op: 'stubborn' }
  | { op: 'vanish' }
  /** A plugin's `service:prestart` handler that never answers, once: the deadline must fail the start. */
  | { op: 'hangPrestart' };

/** Weighted so that budgets get spent: trouble often, time mostly within a backoff, the operator now and then. */
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('request' as const),
      kind: fc.constantFrom('unhealthy' as const, 'slow' as const, 'memory' as const, 'port' as const),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('crash' as const), code: fc.constantFrom(0, 1, 137, null) }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 9_000 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 120_000 }) }) },
  { weight: 3, arbitrary: fc.constantFrom<Step>({ op: 'start' }, { op: 'stop' }, { op: 'restart' }) },
  { weight: 2, arbitrary: fc.constantFrom<Step>({ op: 'failNextSpawn' }, { op: 'stubborn' }, { op: 'vanish' }, { op: 'hangPrestart' }) },
);

interface Live {
  pid: number;
  exit: (info: ExitInfo) => void;
  exited: Promise<ExitInfo>;
  stubborn: boolean;
  /** The kernel says it is gone; its exit reaches the parent a moment later. */
  vanished: boolean;
}

/** Processes in memory: spawns can fail, a stubborn one outlives SIGTERM until the stop timeout. */
class ModelRunner implements ProcessRunner {
  private nextPid = 100;
  readonly live = new Map<number, Live>();
  failNext = false;
  maxLive = 0;

  constructor(private readonly clock: FakeClock) {}

  async spawn(): Promise<ProcessHandle> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('spawn ENOENT');
    }
    const pid = this.nextPid++;
    let exit!: (info: ExitInfo) => void;
    const exited = new Promise<ExitInfo>((resolve) => (exit = resolve));
    this.live.set(pid, { pid, exit, exited, stubborn: false, vanished: false });
    this.maxLive = Math.max(this.maxLive, this.live.size);
    return { pid, startTime: 1, stdout: null, stderr: null, exited };
  }

  end(pid: number, info: ExitInfo): void {
    const p = this.live.get(pid);
    if (!p) return;
    this.live.delete(pid);
    p.exit(info);
  }

  async stop(target: ProcessIdentity, options: StopOptions & { exited?: Promise<unknown> }): Promise<{ forced: boolean }> {
    const p = this.live.get(target.pid);
    if (options.leaderJustExited || !p) return { forced: false };
    let forced = false;
    if (p.stubborn) {
      await Promise.race([p.exited, new Promise<void>((r) => this.clock.setTimeout(r, options.timeoutMs))]);
      forced = this.live.has(p.pid);
    }
    this.end(p.pid, { code: null, signal: forced ? 'SIGKILL' : options.signal });
    if (options.exited) await options.exited;
    return { forced };
  }
}

const MAX_RESTARTS = 3;
const WINDOW = 60_000;
const MIN_UPTIME = 30_000;
const STOP_TIMEOUT = 5_000;
const BACKOFF_MAX = 8_000;
const PRESTART_DEADLINE = 3_000;

function build() {
  const config = resolveConfig(
    {
      services: {
        api: {
          command: 'x',
          readyAfter: 0,
          restart: { maxRestarts: MAX_RESTARTS, window: WINDOW, minUptime: MIN_UPTIME, backoff: { initial: 1_000, factor: 2, max: BACKOFF_MAX } },
          stop: { timeout: STOP_TIMEOUT },
        },
      },
      plugins: [],
    },
    { file: null, env: {} },
  ).services[0]!;
  const clock = new FakeClock();
  const runner = new ModelRunner(clock);
  const pids = new MemoryPids();
  const logs = new MemoryLogs();
  const hooks = new HookBus((error) => {
    throw error;
  });
  const controller = new ServiceController(
    config,
    {
      runner,
      pids,
      clock,
      scheduler: clock,
      logs,
      hooks,
      env: {},
      redact: (text) => text,
      alert: () => undefined,
      prestartMs: PRESTART_DEADLINE,
      socketFor: async () => null,
      inspector: { info: () => null, isAlive: ({ pid }) => runner.live.has(pid) && !runner.live.get(pid)!.vanished },
    },
    false,
  );
  return { controller, clock, runner, pids, logs, hooks };
}

/** Runs one sequence, checking every invariant after each step; throws on the first broken one. */
async function check(steps: Step[]): Promise<void> {
  const { controller: c, clock, runner, pids, logs, hooks } = build();
  const problems: string[] = [];
  const fail = (what: string) => problems.push(`${what} (at ${clock.now() - T0} ms, state ${c.state})`);
  const T0 = clock.now();

  // What the hooks say, and a reference model of the restart budget fed by them.
  const counts = new Map<string, number>();
  const entries = new Map<string, number>();
  let entered = clock.now();
  let runningSince = clock.now();
  let stoppingSince = clock.now();
  let streak: number[] = [];
  let pendingStarts = 0;
  // Armed by 'hangPrestart': the next prestart never answers; its start then ends failed (kind plugin) or stopped.
  let hang = false;
  let hungStart = false;
  hooks.on(
    'service:prestart',
    () => {
      if (!hang) return;
      hang = false;
      hungStart = true;
      return new Promise<void>(() => undefined);
    },
    'hung-plugin',
  );
  hooks.on('service:state', ({ from, to }) => {
    if (from === 'starting' && hungStart) {
      hungStart = false;
      if (to !== 'failed' && to !== 'stopped') fail(`a start whose prestart never answered went on to ${to}`);
      entries.set(to, (entries.get(to) ?? 0) + 1);
      entered = clock.now();
      return;
    }
    if (!TRANSITIONS[from].includes(to)) fail(`moved ${from} -> ${to}, which the table forbids`);
    entries.set(to, (entries.get(to) ?? 0) + 1);
    entered = clock.now();
    // A restart request is decided when the stop begins; an exit when it is seen.
    const now = from === 'stopping' ? stoppingSince : clock.now();
    if (to === 'running') runningSince = now;
    if (to === 'stopping') stoppingSince = now;
    if (to === 'starting' && (from !== 'backoff' || pendingStarts > 0)) streak = []; // the operator's start gives the budget back
    if (to === 'backoff' || to === 'failed') {
      const uptime = from === 'starting' ? 0 : now - runningSince;
      if (uptime >= MIN_UPTIME) streak = [];
      streak = streak.filter((t) => now - t < WINDOW);
      if (to === 'failed' && streak.length < MAX_RESTARTS) fail(`failed with only ${streak.length} restarts in the window`);
      if (to === 'backoff') {
        if (streak.length >= MAX_RESTARTS) fail(`restarted again with ${streak.length} restarts in the window`);
        streak.push(now);
      }
    }
    if (to === 'exited') fail("exited under policy 'always'");
  });
  for (const hook of Object.values(STATE_HOOKS)) hooks.on(hook, () => void counts.set(hook, (counts.get(hook) ?? 0) + 1));
  hooks.on('service:failed', ({ restarts, reason }: HookMap['service:failed']) => {
    if (reason.kind === 'plugin') {
      if (reason.by !== 'hung-plugin') fail(`a prestart timeout names ${reason.by}, not the plugin`);
    } else if (restarts !== MAX_RESTARTS) fail(`service:failed says ${restarts} restarts`);
  });

  const commands: Array<{ what: string; done: boolean; error?: unknown }> = [];
  const track = (what: string, promise: Promise<void>, starts = false) => {
    const entry: { what: string; done: boolean; error?: unknown } = { what, done: false };
    commands.push(entry);
    if (starts) pendingStarts += 1;
    promise
      .catch((error) => {
        entry.error = error;
      })
      .finally(() => {
        entry.done = true;
        if (starts) pendingStarts -= 1;
      });
  };
  const bound: Partial<Record<ServiceState, number>> = { starting: PRESTART_DEADLINE, stopping: STOP_TIMEOUT, backoff: BACKOFF_MAX };

  const invariants = () => {
    const limit = bound[c.state];
    if (limit !== undefined && clock.now() - entered > limit) fail(`in ${c.state} for ${clock.now() - entered} ms (bound ${limit})`);
    if (runner.maxLive > 1) fail(`${runner.maxLive} live processes at once`);
    const record = pids.read('api');
    const id = c.identity();
    if (c.state === 'running' && (!id || record?.pid !== id.pid)) fail('running without its pid file');
    if (['stopped', 'backoff', 'failed', 'exited'].includes(c.state) && (record || id || runner.live.size > 0)) fail('a process or pid file outlives its run');
    for (const [state, hook] of Object.entries(STATE_HOOKS)) {
      if ((entries.get(state) ?? 0) !== (counts.get(hook) ?? 0)) fail(`${entries.get(state) ?? 0} moves to ${state} but ${counts.get(hook) ?? 0} ${hook}`);
    }
    for (const cmd of commands) if (cmd.error) fail(`${cmd.what} rejected: ${cmd.error}`);
    for (const r of logs.records) if (r.level === 'error' && r.message.includes('internal error')) fail(r.message);
  };

  const settle = () => clock.advance(0);
  for (const s of steps) {
    const current = [...runner.live.values()][0];
    if (s.op === 'start') track('start', c.start(), true);
    else if (s.op === 'stop') track('stop', c.stop());
    else if (s.op === 'restart') track('restart', c.restart(), true);
    else if (s.op === 'request') track(`request ${s.kind}`, c.requestRestart({ kind: s.kind, by: 'model', detail: 'asked by the model' }));
    else if (s.op === 'crash' && current) runner.end(current.pid, { code: s.code, signal: s.code === null ? 'SIGKILL' : null });
    else if (s.op === 'failNextSpawn') runner.failNext = true;
    else if (s.op === 'hangPrestart') hang = true;
    else if (s.op === 'stubborn' && current) current.stubborn = true;
    else if (s.op === 'vanish' && current) {
      current.vanished = true;
      clock.setTimeout(() => runner.end(current.pid, { code: null, signal: 'SIGKILL' }), 5);
    } else if (s.op === 'advance') await clock.advance(s.ms);
    await settle();
    invariants();
    if (problems.length > 0) break;
  }
  // Whatever is still queued finishes within the longest bound: every command resolves.
  if (problems.length === 0) {
    await clock.advance(STOP_TIMEOUT * 3 + BACKOFF_MAX);
    invariants();
    for (const cmd of commands) if (!cmd.done) fail(`${cmd.what} never resolved`);
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
}

describe('the service controller, model-checked', () => {
  it('never wedges: random sequences of exits, requests, operator commands, spawn failures and time', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 60, size: 'max' }), (steps) => check([{ op: 'start' }, ...steps])),
      { numRuns: Number(process.env.MODEL_RUNS ?? 1000) },
    );
  }, 60_000);

  it('ends a service that stays sick in failed when its budget is spent, and an operator restart brings it back', async () => {
    const sick: Step[] = [{ op: 'start' }];
    for (let i = 0; i < MAX_RESTARTS + 1; i += 1) sick.push({ op: 'request', kind: 'unhealthy' }, { op: 'advance', ms: BACKOFF_MAX });
    await check(sick);
    const { controller: c, clock } = build();
    await c.start();
    for (let i = 0; i <= MAX_RESTARTS; i += 1) {
      await c.requestRestart({ kind: 'unhealthy', by: 'model', detail: 'HTTP 500' });
      await clock.advance(BACKOFF_MAX);
    }
    expect(c.state).toBe('failed');
    await c.restart();
    expect(c.state).toBe('running');
  });
});
