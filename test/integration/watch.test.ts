import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import watch from '../../plugins/watch/index.js';
import { createFleet, fixture, waitFor, type Fleet } from '../helpers/project.js';

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

describe('watch with real files', () => {
  it('restarts on a change under a watched folder (reason watch), never for one inside node_modules', async () => {
    fleet = createFleet({ services: { api: { command: fixture(), readyAfter: 0, watch: { paths: ['.'], debounce: '200ms' } } }, plugins: [watch()] });
    const dir = fleet.dir;
    mkdirSync(join(dir, 'src'));
    mkdirSync(join(dir, 'node_modules/lib'), { recursive: true });
    await fleet.supervisor.start();
    const first = fleet.supervisor.snapshots()[0].pid;
    // the watch may take a moment to be in place: touch again every 400 ms until it restarts
    let n = 0;
    let last = 0;
    const restart = await waitFor(() => {
      if (Date.now() - last > 400) {
        last = Date.now();
        n += 1;
        writeFileSync(join(dir, 'node_modules/lib/index.js'), `// ${n}`);
        writeFileSync(join(dir, 'src/app.py'), `# ${n}`);
      }
      return fleet!.of('service:restart')[0];
    }, 'the restart');
    expect(restart.reason).toMatchObject({ kind: 'watch', by: 'watch', detail: 'changed: src/app.py' });
    await waitFor(() => fleet!.supervisor.snapshots()[0].state === 'running' && fleet!.supervisor.snapshots()[0].pid !== first, 'the new process');
    expect(fleet.of('service:restart').every((r) => !r.reason.detail.includes('node_modules') && !r.reason.detail.includes('logs'))).toBe(true);
  });
});
