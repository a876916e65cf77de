import { describe, expect, it } from 'vitest';
import { reloadRolls, restartInTurn, type RollKind, type TurnDeps } from '../../../../core/fleet/rolling-restart.js';
import { FakeClock } from '../../../../core/testing/fake-clock.js';

/** A roll over fakes: what was restarted how, in order. */
function roll(kinds: Record<string, RollKind>, handOvers: Record<string, string | null> = {}) {
  const calls: string[] = [];
  const deps: TurnDeps = {
    rollOf: (n) => kinds[n]!,
    restartBatch: async (names) => {
      calls.push(`batch ${names.join(',')}`);
      return { up: names, down: [] };
    },
    handOver: async (n) => {
      calls.push(`hand-over ${n}`);
      return handOvers[n] ?? null;
    },
    waitMs: 60_000,
    scheduler: new FakeClock(),
  };
  return { calls, run: (names: string[]) => restartInTurn(names, deps) };
}

describe('restartInTurn', () => {
  it('restarts what does not roll in one batch first, then each rolling service in turn, handed over or stopped and started', async () => {
    const r = roll({ db: 'batch', cache: 'batch', 'web#1': 'hand-over', 'web#2': 'hand-over', 'api#1': 'in-turn' });
    const report = await r.run(['db', 'web#1', 'cache', 'web#2', 'api#1']);
    expect(r.calls).toEqual(['batch db,cache', 'hand-over web#1', 'hand-over web#2', 'batch api#1']);
    expect(report).toEqual({ up: ['db', 'cache', 'web#1', 'web#2', 'api#1'], down: [] });
  });

  it('a service with nothing to hand over (not running) is started as any restart', async () => {
    const r = roll({ api: 'hand-over' }, { api: 'not running' });
    expect(await r.run(['api'])).toEqual({ up: ['api'], down: [] });
    expect(r.calls).toEqual(['hand-over api', 'batch api']);
  });

  it('a successor that is not ready stops the roll: the rest keep their processes, the report says why', async () => {
    const r = roll({ 'web#1': 'hand-over', 'web#2': 'hand-over', 'web#3': 'hand-over' }, { 'web#2': 'exited with code 3 before it was ready' });
    const report = await r.run(['web#1', 'web#2', 'web#3']);
    expect(r.calls).toEqual(['hand-over web#1', 'hand-over web#2']);
    const why = 'its successor exited with code 3 before it was ready; the running process serves on';
    expect(report).toEqual({
      up: ['web#1'],
      down: [
        { name: 'web#2', why },
        { name: 'web#3', why: `not restarted: the roll stopped at web#2 (${why}); it keeps its running process` },
      ],
    });
  });
});

describe('reloadRolls', () => {
  const running = (socket: boolean) => ({ state: 'running', config: { socket: socket ? { host: '127.0.0.1' } : null } });
  it('hands over a running service with a socket before and after; rolls replicas; leaves the rest to a stop and a start', () => {
    const before = new Map([
      ['api', running(true)],
      ['was-socket', running(true)],
      ['web#1', running(false)],
      ['plain', running(false)],
      ['resting', { state: 'stopped', config: { socket: { host: '127.0.0.1' } } }],
    ]);
    const after = new Map([
      ['api', { replica: null, socket: { host: '127.0.0.1' } }],
      ['was-socket', { replica: null, socket: null }],
      ['web#1', { replica: { index: 1 }, socket: null }],
      ['plain', { replica: null, socket: null }],
      ['resting', { replica: null, socket: { host: '127.0.0.1' } }],
    ]);
    const { rolled, handedOver } = reloadRolls([...before.keys()], (n) => before.get(n), after);
    expect(rolled).toEqual(['api', 'web#1']);
    expect([...handedOver]).toEqual(['api']);
  });
});
