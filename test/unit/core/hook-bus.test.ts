import { describe, expect, it } from 'vitest';
import { HookBus } from '../../../core/hook-bus.js';

describe('the hook bus', () => {
  it('calls handlers in order, reports one that throws or rejects with its owner, and runs the rest', async () => {
    const errors: string[] = [];
    const bus = new HookBus((error, { hook, owner }) => errors.push(`${owner}@${hook}: ${(error as Error).message}`));
    const seen: string[] = [];
    bus.on('service:started', () => void seen.push('a'), 'a');
    bus.on(
      'service:started',
      () => {
        throw new Error('boom');
      },
      'broken',
    );
    bus.on(
      'service:started',
      async () => {
        throw new Error('later');
      },
      'async-broken',
    );
    bus.on('service:started', ({ service }) => void seen.push(`c:${service}`), 'c');

    await bus.emit('service:started', { service: 'api', pid: 1 });
    expect(seen).toEqual(['a', 'c:api']);
    expect(errors).toEqual(['broken@service:started: boom', 'async-broken@service:started: later']);
  });

  it('returns an unregister function, and drops everything an owner registered', async () => {
    const bus = new HookBus(() => undefined);
    const seen: string[] = [];
    const off = bus.on('alert', (a) => void seen.push(`one:${a.kind}`), 'one');
    bus.on('alert', (a) => void seen.push(`two:${a.kind}`), 'two');
    await bus.emit('alert', { level: 'info', kind: 'k1', message: '', at: '' });
    off();
    await bus.emit('alert', { level: 'info', kind: 'k2', message: '', at: '' });
    bus.removeOwner('two');
    await bus.emit('alert', { level: 'info', kind: 'k3', message: '', at: '' });
    expect(seen).toEqual(['one:k1', 'two:k1', 'two:k2']);
  });
});
