import { ImportError } from './imported.js';

/**
 * Words of a command line as Python's `shlex.split` (POSIX mode) reads them, which is how
 * supervisord splits `command=` and close to how Compose splits a string `command:`: blanks
 * separate words; '...' keeps everything; "..." keeps everything but a backslash before `"` or
 * `\`; outside quotes a backslash keeps the next character. No expansion, no operators: `&&`
 * or `$HOME` are words like any other (neither program runs a shell).
 *
 * (shell-quote, the usual npm choice, expands variables and reads operators and comments, which
 * neither supervisord nor Compose does; this is the 30 lines of the rules above.)
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i]!;
    if (quote === "'") {
      if (ch === "'") quote = null;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = null;
      else if (ch === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) word += line[++i];
      else word += ch;
    } else if (/\s/.test(ch)) {
      if (word !== null) words.push(word);
      word = null;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      word ??= '';
    } else if (ch === '\\') {
      if (i + 1 >= line.length) throw new Error('a backslash ends the line');
      word = (word ?? '') + line[++i];
    } else word = (word ?? '') + ch;
  }
  if (quote) throw new Error(`no closing quotation (${quote})`);
  if (word !== null) words.push(word);
  return words;
}

/** A word for /bin/sh: bare when it is safe, else single-quoted. */
export const shellQuote = (word: string): string => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`);

/** A command as a file gives it: a list as it is, a string split by `shellWords`; one clear line naming `where` when it cannot be split. */
export function wordsOf(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map(String);
  try {
    return shellWords(String(value));
  } catch (error) {
    throw new ImportError(`${where}: ${(error as Error).message}`);
  }
}
