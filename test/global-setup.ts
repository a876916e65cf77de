import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the CLI under test keeps its run files: never the developer's ~/.zmart. */
export const TEST_ZMART_HOME = join(tmpdir(), `zmart-test-home-${process.pid}`);

/** Live processes that a test of ours started: fixture servers and zmart daemons (zombies excluded). */
function ours(): Map<number, string> {
  const found = new Map<number, string>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes('test/fixtures/server.mjs') || cmd.includes('dist/bin/daemon.js')) found.set(Number(name), cmd);
    } catch {
      // gone
    }
  }
  return found;
}

let before = new Map<number, string>();

export function setup(): void {
  process.env.ZMART_HOME = TEST_ZMART_HOME;
  before = ours();
}

/** Fails the run when a test left a process behind (after killing it, so nothing lingers). */
export function teardown(): void {
  rmSync(TEST_ZMART_HOME, { recursive: true, force: true });
  const left = [...ours()].filter(([pid]) => !before.has(pid));
  for (const [pid] of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  if (left.length > 0) {
    throw new Error(`tests left ${left.length} process(es) running:\n${left.map(([pid, cmd]) => `  ${pid} ${cmd}`).join('\n')}`);
  }
}
