import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../../core/config/resolve.js';
import { planReload } from '../../../../core/fleet/reload-plan.js';
import { tempDir } from '../../../helpers/project.js';

const { dir: root, cleanup } = tempDir();
afterAll(cleanup);
const resolve = (services: Record<string, object>) => resolveConfig({ services }, { file: null, root, env: {} });

describe('planReload', () => {
  it('restarts a service whose command changed, and not one whose export-only image changed', () => {
    const before = resolve({ api: { command: 'a', image: 'api:1' }, web: { command: 'w' }, old: { command: 'o' } });
    const after = resolve({ api: { command: 'a', image: 'api:2' }, web: { command: 'w2' }, new: { command: 'n' } });
    expect(planReload(before, after)).toMatchObject({ added: ['new'], removed: ['old'], changed: ['web'], unchanged: ['api'], pluginsChanged: false });
  });
});
