import { describe, expect, it } from 'vitest';
import { HookBus } from '../../../../core/hook-bus.js';
import type { HookMap } from '../../../../core/hooks.js';
import { ServiceRecord } from '../../../../core/service/record.js';
import { MemoryLogs } from '../../../../core/testing/index.js';

function record() {
  const hooks = new HookBus((error) => {
    throw error;
  });
  const said: Array<HookMap['service:health']> = [];
  hooks.on('service:health', (payload) => void said.push(payload));
  return { record: new ServiceRecord('api', true, hooks, new MemoryLogs()), said };
}

describe('health from several reporters', () => {
  it('shows the worst of what each said (unhealthy > slow > unknown > healthy), with who said it', () => {
    const { record: r, said } = record();
    r.setHealth('healthy', 'HTTP 200', 'health-http');
    expect([r.health, r.healthBy]).toEqual(['healthy', 'health-http']);
    r.setHealth('unhealthy', 'connection refused', 'tcp-probe');
    expect([r.health, r.healthBy]).toEqual(['unhealthy', 'tcp-probe']);
    // the other reporter saying healthy again changes nothing: tcp-probe still says unhealthy
    r.setHealth('healthy', 'HTTP 200', 'health-http');
    expect([r.health, r.healthBy]).toEqual(['unhealthy', 'tcp-probe']);
    r.setHealth('slow', '2.5s', 'health-http');
    expect(r.health).toBe('unhealthy');
    r.setHealth('healthy', undefined, 'tcp-probe');
    expect([r.health, r.healthBy]).toEqual(['slow', 'health-http']);
    r.setHealth('healthy', undefined, 'health-http');
    expect(r.health).toBe('healthy');
    expect(said.map((s) => `${s.health}:${s.by}`)).toEqual(['healthy:health-http', 'unhealthy:tcp-probe', 'slow:health-http', 'healthy:health-http']);
    expect(r.healthReports()).toEqual([
      { by: 'health-http', health: 'healthy', detail: null },
      { by: 'tcp-probe', health: 'healthy', detail: null },
    ]);
  });

  it("a reporter that has not spoken yet does not hold the service back; core's reset clears every word", () => {
    const { record: r } = record();
    r.setHealth('unhealthy', 'down', 'tcp-probe');
    r.setHealth('unknown', 'process exited'); // core: the process ended
    expect([r.health, r.healthBy, r.healthReports()]).toEqual(['unknown', 'core', []]);
    r.setHealth('healthy', undefined, 'health-http');
    expect(r.health).toBe('healthy');
  });

  it('a plugin that stops probing (a reload) leaves no health behind; one that starts makes it unknown', () => {
    const { record: r } = record();
    r.setHealth('healthy', undefined, 'health-http');
    r.setProbed(false);
    expect([r.health, r.healthReports()]).toEqual([null, []]);
    r.setProbed(true);
    expect(r.health).toBe('unknown');
  });
});
