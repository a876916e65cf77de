import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { afterEachTest, runCli } from '../helpers/cli.js';
import { CLI, tempDir } from '../helpers/project.js';
import { needs } from '../helpers/tools.js';

const { cleanups } = afterEachTest(afterEach);

/** A project with three services (one replicated), and `zmart` on PATH as an installed one would be. */
function project(): { dir: string; env: NodeJS.ProcessEnv } {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  writeFileSync(
    join(dir, 'zmart.config.ts'),
    "export default { services: { api: { command: 'sleep 100' }, web: { command: 'sleep 100', replicas: 2 }, worker: { command: 'sleep 100' } } };\n",
  );
  mkdirSync(join(dir, 'other'));
  writeFileSync(join(dir, 'other', 'fleet.config.ts'), "export default { services: { db: { command: 'sleep 100' } } };\n");
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin', 'zmart'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"\n`);
  chmodSync(join(dir, 'bin', 'zmart'), 0o755);
  return { dir, env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}`, HOME: dir } };
}

/**
 * What a shell's own completion gives for each command line, one sorted list per line: one run
 * of the shell for all of them (the script is made once; service names are asked as typed).
 */
function complete(shell: 'bash' | 'zsh' | 'fish', lines: string[], p: { dir: string; env: NodeJS.ProcessEnv }): string[][] {
  const quoted = (words: string[]) => words.map((w) => `'${w}'`).join(' ');
  const one = (line: string) => {
    const words = line.split(' ');
    return {
      // bash: its completion variables, then the function `complete -F` names
      bash: `COMP_WORDS=(${quoted(words)}); COMP_CWORD=${words.length - 1}; _zmart; printf '%s\\n' "\${COMPREPLY[@]}"`,
      // zsh: as its bashcompinit calls the function (sh emulation: arrays from 0), then compadd's prefix match
      zsh: `words=(${quoted(words)}); CURRENT=${words.length}; COMP_WORDS=("\${words[@]}"); COMP_CWORD=$((CURRENT - 1)); emulate sh -c _zmart; print -l -- \${(M)COMPREPLY:#${words.at(-1)}*}`,
      // fish: its own `complete -C`
      fish: `complete -C '${line}'`,
    }[shell];
  };
  const load = { bash: 'source <(zmart completion bash)', zsh: 'source <(zmart completion zsh)', fish: 'zmart completion fish | source' }[shell];
  const script = [load, ...lines.map((line) => `${one(line)}; echo '--end--'`)].join('\n');
  const run = spawnSync(shell, ['-c', script], { cwd: p.dir, env: p.env, encoding: 'utf8', timeout: 30_000 });
  expect(run.stderr).toBe('');
  const answers = run.stdout.split('--end--\n').slice(0, lines.length);
  return answers.map((answer) =>
    answer
      .split('\n')
      .map((l) => l.split('\t')[0]!)
      .filter(Boolean)
      .sort(),
  );
}

describe('zmart completion', () => {
  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    needs(shell)(`completes commands, flags, service names (replicas too, from the config in use) and choices in ${shell}`, () => {
      const p = project();
      const cases: Array<[string, string[]]> = [
        ['zmart re', ['reload', 'report', 'restart']],
        ['zmart restart w', ['web', 'web#1', 'web#2', 'worker']],
        ['zmart stop api w', ['web', 'web#1', 'web#2', 'worker']], // services repeat
        ['zmart status --config other/fleet.config.ts ', ['db']],
        ['zmart signal api T', ['TERM', 'TTIN', 'TTOU']], // a signal second, not a service
        ['zmart start --f', ['--foreground']],
        ['zmart export k', ['kubernetes']],
        ['zmart completion z', ['zsh']],
      ];
      expect(
        complete(
          shell,
          cases.map(([line]) => line),
          p,
        ),
      ).toEqual(cases.map(([, want]) => want));
    });
  }

  it('asks which shell, and refuses one it does not know, in one line (exit 2), with the name meant', async () => {
    const p = project();
    const none = await runCli(['completion'], { cwd: p.dir });
    expect([none.code, none.stderr.trim()]).toEqual([2, 'zmart: zmart completion: which shell? (bash, zsh, fish)']);
    const tcsh = await runCli(['completion', 'tcsh'], { cwd: p.dir });
    expect([tcsh.code, tcsh.stderr.trim()]).toEqual([2, 'zmart: zmart completion tcsh: unknown shell (known: bash, zsh, fish)']);
    // a typo gets the name it most likely meant, here as for services and export targets
    expect((await runCli(['completion', 'bsah'], { cwd: p.dir })).stderr).toContain("unknown shell: did you mean 'bash'?");
    expect((await runCli(['export', 'systmd'], { cwd: p.dir })).stderr).toContain("unknown target: did you mean 'systemd'?");
    expect((await runCli(['start', 'wrker'], { cwd: p.dir })).stderr).toContain("no service named 'wrker' in");
    expect((await runCli(['start', 'wrker'], { cwd: p.dir })).stderr).toContain(": did you mean 'worker'?");
  });
});
