import { describe, expect, it } from 'vitest';
import logRotate from '../../../plugins/log-rotate/index.js';
import { createPluginHarness } from '../../../core/testing/index.js';

const services = { api: { command: 'x' } };

describe('log-rotate through core/testing', () => {
  it('hands core its rotation policy, checks quiet logs every `check`, and removes the policy at teardown', async () => {
    const h = await createPluginHarness(logRotate({ maxSize: '1MB', interval: 'hourly', keep: 3, compress: false, check: '30s' }), { services });
    expect(h.logFiles().rotation).toEqual({ maxSize: 1024 * 1024, periodMs: 3_600_000, keep: 3, compress: false });
    await h.advance(90_000);
    expect(h.logFiles().rotationChecks).toBe(3);
    expect(h.logs.map((l) => l.message)).toContain('logs rotate past 1048576 bytes and hourly, keeping 3');
    await h.teardown();
    expect(h.logFiles().rotation).toBeNull();
  });

  it('defaults to 10 MB or daily, 7 kept, gzipped; size or time alone also work', async () => {
    expect((await createPluginHarness(logRotate(), { services })).logFiles().rotation).toEqual({
      maxSize: 10 * 1024 * 1024,
      periodMs: 86_400_000,
      keep: 7,
      compress: true,
    });
    const sizeOnly = await createPluginHarness(logRotate({ interval: null }), { services });
    expect(sizeOnly.logFiles().rotation?.periodMs).toBeNull();
    await sizeOnly.advance(600_000);
    expect(sizeOnly.logFiles().rotationChecks).toBe(0);
  });

  it('refuses bad options', async () => {
    await expect(createPluginHarness(logRotate({ maxSize: 'huge' }), { services })).rejects.toThrow(/plugins\[0\] \(log-rotate\)\.maxSize: expected a size/);
    await expect(createPluginHarness(logRotate({ interval: 'weekly' as never }), { services })).rejects.toThrow(/\.interval/);
  });
});
