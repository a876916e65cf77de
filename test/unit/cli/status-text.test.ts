import { describe, expect, it } from 'vitest';
import { allHealthy } from '../../../cli/fleet.js';
import { describeService } from '../../../cli/render/status-text.js';
import type { ServiceStatus, StatusReport } from '../../../core/status/types.js';
import { service as named } from '../../helpers/ui-fleet.js';

/** A running service, not probed and ready; `change` sets what a case is about. */
const service = (change: Partial<ServiceStatus>) => named(change.name ?? 'api', { title: 'API Server', health: null, ...change });

const report = (...services: ServiceStatus[]) => ({ supervisor: { running: true }, services }) as unknown as StatusReport;

describe('a service that runs but is not ready yet', () => {
  it.each([
    [{}, '✅ Running', true],
    [{ ready: false }, '⏳ Running, not ready yet', false],
    [{ ready: false, health: 'healthy' as const }, '⏳ Running, not ready yet', false], // its own ready check still pending
    [{ ready: true, health: 'healthy' as const }, '✅ Running & Healthy', true],
    [{ ready: false, health: 'unknown' as const }, '⏳ Running (not checked yet)', false],
    [{ ready: false, health: 'unhealthy' as const }, '❌ Running but Unhealthy', false], // sickness is said before readiness
    [{ ready: false, health: 'slow' as const }, '⚠️  Running but Slow', false],
    [{ state: 'starting' as const, ready: false, pid: null }, '⏳ Starting', false],
  ])('%o reads %s, and the fleet counts as up: %s', (change, words, up) => {
    const { icon, text } = describeService(service(change));
    expect(`${icon} ${text}`).toBe(words);
    expect(allHealthy(report(service(change)))).toBe(up);
  });

  it('keeps the whole fleet from counting as up', () => {
    expect(allHealthy(report(service({}), service({ name: 'web', ready: false })))).toBe(false);
    expect(allHealthy(report(service({}), service({ name: 'web' })))).toBe(true);
  });
});
