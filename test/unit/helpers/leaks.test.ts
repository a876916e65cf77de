import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { MARK, markedProcesses } from '../../helpers/leaks.js';
import { killAll, waitFor } from '../../helpers/project.js';

const started: number[] = [];
afterAll(() => killAll(started));

/** A process whose command line names zmart's daemon, as a real one (or another checkout's) would. */
function decoy(env: NodeJS.ProcessEnv): number {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)', 'dist/bin/daemon.js', 'test/fixtures/server.mjs'], { env, stdio: 'ignore' });
  started.push(child.pid!);
  return child.pid!;
}

describe("the suite's leak check", () => {
  it('sees what this run started and nothing else, whatever the command lines say', async () => {
    const run = process.env[MARK]!;
    expect(run).toBeTruthy();
    const { [MARK]: _, ...unmarked } = process.env;
    const outsider = decoy(unmarked);
    const otherRun = decoy({ ...unmarked, [MARK]: 'another-checkout' });
    const ours = decoy(process.env);
    const seen = await waitFor(() => {
      const found = markedProcesses(run);
      return found.has(ours) ? found : null;
    }, 'our own process to be seen');
    expect(seen.has(outsider)).toBe(false);
    expect(seen.has(otherRun)).toBe(false);
  });
});
