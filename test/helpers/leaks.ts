import { readFileSync, readdirSync } from 'node:fs';

/** The variable the suite sets on itself, inherited by everything it starts (fixtures, CLIs, daemons, services). */
export const MARK = 'ZMART_TEST_RUN';

/**
 * Live processes (zombies excluded) whose environment carries `MARK=id`: what this run of
 * the suite started, and nothing else on the machine, whatever its command line says.
 */
export function markedProcesses(id: string, options: { notChildrenOf?: number } = {}): Map<number, string> {
  const needle = `${MARK}=${id}`;
  const found = new Map<number, string>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // zombies are gone already; the runner's own workers (its children) are not the tests'
      if (state === 'Z' || Number(ppid) === options.notChildrenOf) continue;
      if (!readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(needle)) continue;
      found.set(Number(name), readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim());
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}
