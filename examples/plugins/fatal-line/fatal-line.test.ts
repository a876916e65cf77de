import { describe, expect, it } from 'vitest';
import { createPluginHarness } from '../../../core/testing/index.js';
import fatalLine, { lineMatcher } from './index.js';

describe('the fatal-line example plugin', () => {
  it('asks for one restart per run when the log says FATAL, and none for other services', async () => {
    const h = await createPluginHarness(fatalLine(), {
      services: { api: { command: 'x', restartOnLine: 'FATAL' }, web: { command: 'y' } },
    });
    await h.logLine('api', ['starting', 'FATAL: database gone', 'FATAL: again']);
    await h.logLine('web', 'FATAL in a service that did not ask');
    expect(h.restarts).toEqual([{ service: 'api', reason: { kind: 'unhealthy', by: 'fatal-line', detail: 'its log said: FATAL: database gone' } }]);
    h.setService('api', { pid: 2002 }); // restarted: a new run may ask again
    await h.logLine('api', 'FATAL: still gone');
    expect(h.restarts).toHaveLength(2);
  });

  it('takes a /regex/ as well as a substring', () => {
    expect(lineMatcher('/^panic:/i')('PANIC: x')).toBe(true);
    expect(lineMatcher('/^panic:/i')('no panic: x')).toBe(false);
    expect(lineMatcher('FATAL')('a FATAL line')).toBe(true);
  });
});
