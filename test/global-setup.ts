import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MARK, markedProcesses } from './helpers/leaks.js';

/** Where the CLI under test keeps its run files: never the developer's ~/.zmart. */
export const TEST_ZMART_HOME = join(tmpdir(), `zmart-test-home-${process.pid}`);

const RUN = randomUUID();
let before = new Map<number, string>();

/**
 * Marks this run: every process the suite starts inherits MARK in its environment (the test
 * workers, and through them fixtures, CLIs, daemons and their services).
 */
export function setup(): void {
  process.env.ZMART_HOME = TEST_ZMART_HOME;
  process.env[MARK] = RUN;
  before = markedProcesses(RUN, { notChildrenOf: process.pid });
}

/** Fails the run when a test left a process of its own behind (after killing it). Nothing else is touched. */
export function teardown(): void {
  rmSync(TEST_ZMART_HOME, { recursive: true, force: true });
  const left = [...markedProcesses(RUN, { notChildrenOf: process.pid })].filter(([pid]) => !before.has(pid));
  for (const [pid] of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  if (left.length > 0) {
    // vitest reports an error thrown here but would still exit 0: the run must fail
    process.exitCode = 1;
    throw new Error(`tests left ${left.length} process(es) running:\n${left.map(([pid, cmd]) => `  ${pid} ${cmd}`).join('\n')}`);
  }
}
