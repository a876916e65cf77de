/**
 * Text for systemd's unit files, escaped by its own rules (systemd.syntax(7), systemd.service(5),
 * systemd.exec(5)), so that what systemd reads back is exactly what zmart runs:
 * - every setting's value is subject to specifiers: a literal `%` is `%%`;
 * - in ExecStart=, a literal `$` is `$$` (`$VAR` and `${VAR}` are systemd's own variables), and
 *   each word is double-quoted with C escapes (`\\`, `\"`, `\n`, `\t`, `\xNN`);
 * - Environment= takes a quoted `NAME=value` with C escapes and specifiers, but no `$` expansion;
 * - no raw newline ever reaches a unit (a new line would be a new directive).
 */

/** An export that cannot carry a value exactly: one line naming it. */
export class NotCarried extends Error {}

/** C-style escapes for a double-quoted word, control characters included. */
function cEscape(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}

/** `%` -> `%%`: what specifier expansion turns back into the text. */
export const noSpecifiers = (text: string): string => text.replaceAll('%', '%%');

/** One word of ExecStart=, read back by systemd as exactly `arg`. */
export function execWord(arg: string): string {
  if (arg.includes('\0')) throw new NotCarried('a NUL byte cannot be passed in an argument');
  return `"${noSpecifiers(cEscape(arg)).replaceAll('$', '$$$$')}"`;
}

/** The whole ExecStart= value for an argv; its program may not begin with one of systemd's prefixes (@ - : + !). */
export function execLine(argv: string[]): string {
  if (/^[@\-:+!]/.test(argv[0] ?? ''))
    throw new NotCarried(`the program ${JSON.stringify(argv[0])} begins with one of systemd's ExecStart prefixes (@ - : + !)`);
  return argv.map(execWord).join(' ');
}

/** An Environment= assignment, quoted: systemd sets NAME to exactly `value`. */
export function environmentAssignment(name: string, value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new NotCarried(`${JSON.stringify(name)} is not a name systemd accepts for a variable`);
  if (value.includes('\0')) throw new NotCarried(`the value of ${name} holds a NUL byte`);
  return `"${noSpecifiers(cEscape(`${name}=${value}`))}"`;
}

/** Control characters (a newline among them): a line break in a unit would start a new directive. */
const isControl = (ch: string) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f;
const hasControl = (text: string) => [...text].some(isControl);

/** Free text (Description=): control characters become spaces, `%` is escaped: never a second line. */
export const unitText = (text: string): string => noSpecifiers([...text].map((ch) => (isControl(ch) ? ' ' : ch)).join(''));

/** A path setting (WorkingDirectory=, EnvironmentFile=): specifiers escaped; one with a control character is refused. */
export function unitPath(path: string): string {
  if (hasControl(path)) throw new NotCarried(`the path ${JSON.stringify(path)} holds a control character`);
  return noSpecifiers(path);
}

/**
 * One `NAME=value` line of a file for EnvironmentFile= (systemd.exec(5): no specifiers there;
 * single quotes keep everything but a single quote; double quotes keep a character after a
 * backslash only for `"`, `\`, `` ` `` and `$`). Values may span lines inside the quotes.
 */
export function environmentFileLine(name: string, value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new NotCarried(`${JSON.stringify(name)} is not a name systemd accepts for a variable`);
  if (value.includes('\0')) throw new NotCarried(`the value of ${name} holds a NUL byte`);
  const quoted = value.includes("'") ? `"${value.replace(/["\\`$]/g, '\\$&')}"` : `'${value}'`;
  return `${name}=${quoted}\n`;
}
