import 'reflect-metadata';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../core/config/resolve.js';
import { createContainer } from '../../../core/composition-root.js';
import { TOKENS } from '../../../core/di/tokens.js';
import type { ExitInfo, ProcessHandle, ProcessIdentity, ProcessView, ProcessInspector, ProcessRunner, SpawnSpec } from '../../../core/di/contracts.js';
import { ZmartError } from '../../../core/errors.js';
import { Supervisor } from '../../../core/supervisor.js';
import { definePlugin, type PluginContext, type PluginInstance } from '../../../core/index.js';
import { FakeClock, MemoryLogs, MemoryPids } from '../../../core/testing/index.js';
import { tempDir } from '../../helpers/project.js';

/** Processes that exist only in memory: the test decides when they die. */
class FakeRunner implements ProcessRunner {
  private nextPid = 5000;
  readonly spawned: Array<{ spec: SpawnSpec; pid: number; at: number }> = [];
  private readonly exits = new Map<number, (exit: ExitInfo) => void>();

  constructor(private readonly clock: FakeClock) {}

  /** Errors the next spawns throw, in order. */
  readonly failures: Error[] = [];

  async spawn(spec: SpawnSpec): Promise<ProcessHandle> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    const pid = this.nextPid++;
    const exited = new Promise<ExitInfo>((resolve) => this.exits.set(pid, resolve));
    this.spawned.push({ spec, pid, at: this.clock.now() });
    return { pid, startTime: 1, stdout: null, stderr: null, exited };
  }

  crash(pid: number, code = 1): void {
    this.exits.get(pid)?.({ code, signal: null });
  }

  async stop(target: ProcessIdentity): Promise<{ forced: boolean }> {
    this.exits.get(target.pid)?.({ code: null, signal: 'SIGTERM' });
    return { forced: false };
  }
}

/** What the kernel says of a pid: dead unless the test marks it alive. */
const alive = new Set<number>();
const nobody: ProcessInspector = {
  info: (pid): ProcessView => ({ pid, ppid: 1, pgid: pid, startTime: 1, command: 'zmart' }),
  isAlive: ({ pid }) => alive.has(pid),
};

const { dir, cleanup } = tempDir();
afterAll(cleanup);

function build(services: Record<string, unknown>, plugins: PluginInstance[] = []) {
  const config = resolveConfig({ services, plugins }, { file: null, root: dir, env: {} });
  const container = createContainer(config);
  const clock = new FakeClock();
  const runner = new FakeRunner(clock);
  const pids = new MemoryPids();
  container.registerInstance(TOKENS.Clock, clock);
  container.registerInstance(TOKENS.Scheduler, clock);
  container.registerInstance(TOKENS.ProcessRunner, runner);
  container.registerInstance(TOKENS.ProcessInspector, nobody);
  container.registerInstance(TOKENS.PidStore, pids);
  container.registerInstance(TOKENS.Logs, new MemoryLogs());
  return { supervisor: container.resolve(Supervisor), clock, runner, pids };
}

describe('the supervisor, wired with fakes in a child container', () => {
  it('waits exactly the backoff before each restart, then fails past the budget', async () => {
    const { supervisor, clock, runner, pids } = build({
      api: { command: 'x', readyAfter: 0, restart: { maxRestarts: 3, backoff: { initial: '1s', factor: 2, max: '3s' } } },
    });
    await supervisor.start();
    expect(pids.read('api')).toMatchObject({ pid: 5000 });

    for (const delay of [1000, 2000, 3000]) {
      runner.crash(runner.spawned.at(-1)!.pid);
      await clock.advance(delay - 1);
      const before = runner.spawned.length;
      expect(supervisor.controller('api')!.state).toBe('backoff');
      await clock.advance(1);
      expect(runner.spawned.length).toBe(before + 1);
    }
    runner.crash(runner.spawned.at(-1)!.pid);
    await clock.advance(60_000);
    expect(supervisor.snapshots()[0]).toMatchObject({ state: 'failed', restarts: 3, pid: null });
    expect(runner.spawned).toHaveLength(4);
    expect(pids.read('api')).toBeNull();
    await supervisor.stop();
  });

  it('cancels a pending restart when stopped during backoff', async () => {
    const { supervisor, clock, runner } = build({ api: { command: 'x', readyAfter: 0, restart: { backoff: { initial: '5s' } } } });
    await supervisor.start();
    runner.crash(5000);
    await clock.advance(100);
    await supervisor.stop();
    await clock.advance(10_000);
    expect(runner.spawned).toHaveLength(1);
    expect(supervisor.snapshots()[0].state).toBe('stopped');
  });

  it("takes a plugin's restart request for a leader that already died as that exit, not the plugin's reason", async () => {
    let ctx: PluginContext<object> | undefined;
    const grab = definePlugin({ name: 'grab', defaults: {}, setup: (c) => void (ctx = c) })();
    const { supervisor, runner, clock } = build({ api: { command: 'x', readyAfter: 0, restart: { backoff: { initial: 0 } } } }, [grab]);
    const reasons: string[] = [];
    supervisor.hooks.on('service:restart', ({ reason }) => void reasons.push(reason.kind));
    const settle = async () => {
      for (let i = 0; i < 20; i += 1) await new Promise((r) => setImmediate(r));
      await clock.advance(0);
    };
    await supervisor.start();

    alive.add(5000); // running: the plugin's reason stands
    ctx!.restart('api', { kind: 'port', detail: 'nothing listens on it' });
    await settle();
    expect(reasons).toEqual(['port']);
    expect(runner.spawned.map((s) => s.pid)).toEqual([5000, 5001]);

    // 5001 died and the kernel closed its port, but its exit is not reported yet
    ctx!.restart('api', { kind: 'port', detail: 'nothing listens on it' });
    await settle();
    expect(reasons).toEqual(['port']);
    runner.crash(5001);
    await settle();
    expect(reasons).toEqual(['port', 'exit']);
    expect(runner.spawned).toHaveLength(3);
    await supervisor.stop();
  });

  it('retries a spawn that failed for lack of file descriptors without spending the restart budget', async () => {
    const { supervisor, clock, runner } = build({ api: { command: 'x', readyAfter: 0, restart: { maxRestarts: 1, backoff: { initial: '5s' } } } });
    const emfile = () =>
      new ZmartError('ZMART_START_FAILED', 'cannot start api: spawn x EMFILE', { cause: Object.assign(new Error('spawn x EMFILE'), { code: 'EMFILE' }) });
    runner.failures.push(emfile(), emfile(), emfile());
    void supervisor.start();
    await clock.advance(0);
    expect(supervisor.controller('api')!.state).toBe('backoff');
    await clock.advance(3000); // three tries a second apart, then it runs
    expect(supervisor.snapshots()[0]).toMatchObject({ state: 'running', pid: 5000 });
    // the budget (one restart) is whole: a crash is still restarted
    runner.crash(5000);
    await clock.advance(5000);
    expect(supervisor.snapshots()[0]).toMatchObject({ state: 'running', pid: 5001 });
    await supervisor.stop();
  });

  it("runs a plugin's supervisor:start handler (plugins are set up before it is emitted)", async () => {
    const seen: string[][] = [];
    const watcher = definePlugin({
      name: 'watcher',
      defaults: {},
      setup: (ctx) => void ctx.on('supervisor:start', ({ services }) => void seen.push(services)),
    })();
    const { supervisor } = build({ api: { command: 'x', readyAfter: 0 } }, [watcher]);
    await supervisor.start();
    expect(seen).toEqual([['api']]);
    await supervisor.stop();
  });

  it('restarts on restart.cron with reason schedule, spending no budget and waiting no backoff', async () => {
    const { supervisor, clock, runner } = build({
      api: { command: 'x', readyAfter: 0, restart: { cron: '*/2 * * * * *', maxRestarts: 1, backoff: { initial: '30s' } } },
    });
    for (let pid = 5000; pid < 5010; pid += 1) alive.add(pid);
    await supervisor.start();
    const first = supervisor.snapshots()[0];
    expect(Date.parse(first.nextRestartAt!) - clock.now()).toBeLessThanOrEqual(2000);
    await clock.advance(6000); // three schedules, each a restart at once, past a budget of one
    const snap = supervisor.snapshots()[0];
    expect(runner.spawned).toHaveLength(4);
    expect(snap).toMatchObject({ state: 'running', restarts: 3, lastRestart: { kind: 'schedule', by: 'core', detail: "restart.cron '*/2 * * * * *'" } });
    // the budget is whole: a crash still restarts (after its backoff)
    runner.crash(runner.spawned.at(-1)!.pid);
    await clock.advance(30_000);
    expect(supervisor.snapshots()[0].state).toBe('running');
    await supervisor.stop();
    expect(supervisor.snapshots()[0].nextRestartAt).toBeNull();
  });

  it('refuses a cron pattern croner cannot read, naming the key', () => {
    expect(() => build({ api: { command: 'x', restart: { cron: 'every day' } } })).toThrow(/services\.api\.restart\.cron: .*exactly five, six, or seven/);
  });
});
