/** What makes a command more than one program: pipes, lists, redirections, subshells, substitutions. */
const COMPOUND = /[|&;<>()`\n]|\$\(/;
/** Words that begin shell syntax or builtins, after which `exec` would change the meaning. */
const SHELL_WORDS = new Set(['exec', 'cd', 'if', 'for', 'while', 'until', 'case', '{', '!', '.', 'source', 'export', 'set', 'eval', 'trap', 'ulimit', 'umask']);
/** Leading VAR=value words (unquoted), then the rest. */
const LEADING_ASSIGNMENTS = /^((?:[A-Za-z_][A-Za-z0-9_]*=[^\s'"]*\s+)*)(\S+)/;

/**
 * The text `/bin/sh -c` runs for a command given as a string. One simple command (a program
 * and its arguments, maybe after VAR=value words) is run with `exec`: the shell becomes the
 * program, so the recorded pid, the signals and status are the program's own. Anything more
 * (a pipeline, `&&`, a redirection, a subshell, parentheses even inside quotes) is left as
 * written: the shell stays, as the leader of the group, and zmart signals the whole group.
 */
export function shellCommand(command: string): string {
  const text = command.trim();
  if (COMPOUND.test(text)) return command;
  const match = LEADING_ASSIGNMENTS.exec(text);
  if (!match || SHELL_WORDS.has(match[2]) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(match[2])) return command;
  return `${match[1]}exec ${text.slice(match[1].length)}`;
}
