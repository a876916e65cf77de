import { formatWithOptions } from 'node:util';

/** Terminal output that respects NO_COLOR and pipes: colours only on a TTY without NO_COLOR. */
export interface Output {
  /** A TTY that takes escape codes: spinners and colours are allowed. */
  interactive: boolean;
  line(message?: string, ...args: unknown[]): void;
  /** Text as is, no newline (spinner frames). */
  raw(text: string): void;
  error(message: string): void;
  ok(text: string): string;
  bad(text: string): string;
  dim(text: string): string;
}

export function createOutput(stdout: NodeJS.WriteStream = process.stdout, stderr: NodeJS.WriteStream = process.stderr): Output {
  const interactive = Boolean(stdout.isTTY) && process.env.TERM !== 'dumb';
  const color = interactive && !('NO_COLOR' in process.env);
  const paint = (code: number) => (text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  // A closed terminal or pipe must not kill the supervisor.
  stdout.on('error', () => undefined);
  stderr.on('error', () => undefined);
  return {
    interactive,
    raw: (text) => stdout.write(text),
    line: (message = '', ...args) => stdout.write(`${formatWithOptions({ colors: false }, message, ...args)}\n`),
    error: (message) => stderr.write(`zmart: ${message}\n`),
    ok: paint(32),
    bad: paint(31),
    dim: paint(2),
  };
}
