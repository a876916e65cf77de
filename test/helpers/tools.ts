import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { it } from 'vitest';

/** A program on PATH (or an absolute path) this process may run. */
export function onMachine(program: string): boolean {
  const candidates = isAbsolute(program) ? [program] : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, program));
  return candidates.some((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * `it` for a test that drives other programs (systemd-analyze, promtool, docker-compose,
 * Chromium, zsh...). CI installs every one (`.ci/run` sets ZMART_TEST_TOOLS=required): there a
 * missing one fails the test as it runs. Elsewhere (a Mac, a laptop without them) the test is
 * skipped, and the run says which program it wanted.
 */
/** A test declared as `it` declares one. */
type Declare = (name: string, body: () => unknown, timeout?: number) => void;

export function needs(...programs: string[]): Declare {
  const missing = programs.filter((p) => !onMachine(p));
  const skip = missing.length > 0 && process.env.ZMART_TEST_TOOLS !== 'required';
  if (skip) console.warn(`skipped: a test needs ${missing.join(', ')}, not on this machine`);
  return it.skipIf(skip) as Declare;
}

/** `it` for a test that reads its own processes through Linux's /proc (argv, environment, groups): skipped where there is none (a Mac). */
export const readsProc = (): Declare => needs('/proc/self/exe');
