import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../../core/config/resolve.js';
import { tellDecision } from '../../../../core/service/decision-notes.js';
import type { Alert } from '../../../../core/service/types.js';
import { MemoryLogs } from '../../../../core/testing/memory-logs.js';

const service = resolveConfig({ services: { api: { command: 'x' } } }, { file: null, root: '/', env: {} }).services[0]!;

function told(kind: 'schedule' | 'watch' | 'exit') {
  const logs = new MemoryLogs();
  const alerts: Alert[] = [];
  const decision = { action: 'restart' as const, delayMs: 0, attempt: 1, history: { restarts: [] } };
  tellDecision(service, { kind, by: 'core', detail: kind === 'schedule' ? "cron '0 4 * * *'" : 'changed: src/app.py' }, decision, {
    logs,
    alert: (a) => alerts.push(a),
  });
  return { lines: logs.records.map((r) => `${r.level} ${r.message}`), alerts };
}

describe('how a restart decision is told', () => {
  it('a scheduled or watched restart is asked for, not trouble: an info line, no count, no alert', () => {
    expect(told('schedule')).toEqual({ lines: ["info api: restart (schedule: cron '0 4 * * *')"], alerts: [] });
    expect(told('watch')).toEqual({ lines: ['info api: restart (watch: changed: src/app.py)'], alerts: [] });
  });

  it('a crash is: a warning with the count, and an alert', () => {
    const { lines, alerts } = told('exit');
    expect(lines).toEqual(['warn api: restart 1/3 in 0ms (exit: changed: src/app.py)']);
    expect(alerts.map((a) => a.kind)).toEqual(['restart']);
  });
});
