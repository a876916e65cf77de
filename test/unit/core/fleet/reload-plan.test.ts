import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../../core/config/resolve.js';
import { planReload } from '../../../../core/fleet/reload-plan.js';
import { builtinPlugins } from '../../../../cli/builtins.js';
import { tempDir } from '../../../helpers/project.js';

const { dir: root, cleanup } = tempDir();
afterAll(cleanup);
const resolve = (services: Record<string, object>) => resolveConfig({ services }, { file: null, root, env: {}, builtins: builtinPlugins });

describe('planReload', () => {
  it('restarts a service whose command changed, and not one whose export-only image changed', () => {
    const before = resolve({ api: { command: 'a', image: 'api:1' }, web: { command: 'w' }, old: { command: 'o' } });
    const after = resolve({ api: { command: 'a', image: 'api:2' }, web: { command: 'w2' }, new: { command: 'n' } });
    expect(planReload(before, after)).toMatchObject({ added: ['new'], removed: ['old'], changed: ['web'], unchanged: ['api'], pluginsChanged: false });
  });

  it('updates in place a service whose plugin options, title, budget, dependencies or stop settings changed; restarts one whose process settings or cron changed', () => {
    const before = resolve({
      a: { command: 'a', memory: { maxRss: '1GB' } },
      b: { command: 'b', restart: { maxRestarts: 3 } },
      c: { command: 'c', stop: { timeout: '5s' } },
      d: { command: 'd' },
      e: { command: 'e', env: { X: '1' } },
    });
    const after = resolve({
      a: { command: 'a', memory: { maxRss: '2GB' } },
      b: { command: 'b', title: 'B', restart: { maxRestarts: 5 } },
      c: { command: 'c', stop: { timeout: '9s' } },
      d: { command: 'd', restart: { cron: '0 4 * * *' } },
      e: { command: 'e', env: { X: '2' } },
    });
    expect(planReload(before, after)).toMatchObject({ changed: ['d', 'e'], updated: ['a', 'b', 'c'], unchanged: [], pluginsChanged: true });
    // b alone (no plugin option changed): the plugins are not set up again
    expect(planReload(resolve({ b: { command: 'b' } }), resolve({ b: { command: 'b', title: 'B' } }))).toMatchObject({ updated: ['b'], pluginsChanged: false });
  });
});
