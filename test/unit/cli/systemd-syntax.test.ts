import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { environmentAssignment, environmentFileLine, execLine, unitText } from '../../../cli/export/systemd-syntax.js';
import { needs } from '../../helpers/tools.js';

/**
 * A reader of ExecStart= and Environment= as systemd reads them, written from systemd.syntax(7)
 * and systemd.service(5): words split at whitespace; "..." and '...' quote; backslash escapes
 * (C style) inside and outside quotes; then `%%` -> `%` (specifiers) and, in ExecStart=, `$$` -> `$`.
 * Anything else after a `%` or `$` is a specifier or a variable: the reader refuses it, since
 * zmart must never write one.
 */
function readWords(value: string, dollars: boolean): string[] {
  const words: string[] = [];
  let i = 0;
  const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v', s: ' ' };
  while (i < value.length) {
    while (value[i] === ' ') i += 1;
    if (i >= value.length) break;
    let word = '';
    let quote: string | null = null;
    for (; i < value.length; i += 1) {
      const ch = value[i]!;
      if (!quote && ch === ' ') break;
      if (!quote && (ch === '"' || ch === "'")) quote = ch;
      else if (quote && ch === quote) quote = null;
      else if (ch === '\\') {
        const next = value[i + 1]!;
        if (next === 'x') {
          word += String.fromCharCode(Number.parseInt(value.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (next in escapes) {
          word += escapes[next];
          i += 1;
        } else throw new Error(`unknown escape \\${next}`);
      } else if (ch === '%') {
        if (value[i + 1] !== '%') throw new Error(`specifier %${value[i + 1]} left in ${value}`);
        word += '%';
        i += 1;
      } else if (ch === '$' && dollars) {
        if (value[i + 1] !== '$') throw new Error(`variable $${value[i + 1]} left in ${value}`);
        word += '$';
        i += 1;
      } else word += ch;
    }
    if (quote) throw new Error(`unterminated quote in ${value}`);
    words.push(word);
  }
  return words;
}

/**
 * A reader of an EnvironmentFile= as systemd.exec(5) says systemd reads it: `NAME=` then a value;
 * '...' keeps every character but `'`; "..." keeps a character after a backslash when it is one of
 * `"\`$` (a backslash before a newline joins the lines; before anything else both stay); no
 * specifiers, no variables. Returns each NAME and its value, in order.
 */
function readEnvironmentFile(text: string): [string, string][] {
  const out: [string, string][] = [];
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    const name = text.slice(i, eq);
    i = eq + 1;
    let value = '';
    const quote = text[i];
    if (quote !== "'" && quote !== '"') throw new Error(`unquoted value for ${name}`);
    for (i += 1; text[i] !== quote; i += 1) {
      if (i >= text.length) throw new Error(`unterminated quote for ${name}`);
      if (quote === '"' && text[i] === '\\') {
        const next = text[i + 1]!;
        i += 1;
        if (next === '\n') continue;
        value += '"\\`$'.includes(next) ? next : `\\${next}`;
      } else value += text[i];
    }
    if (text[i + 1] !== '\n') throw new Error(`text after the value of ${name}`);
    i += 2;
    out.push([name, value]);
  }
  return out;
}

const awkward = fc.string({ unit: fc.constantFrom('%', '$', '"', "'", '\\', '\t', '\n', ' ', ';', '{', '}', 'é', '😀', 'a', 'H', 'k', '=', '\x01', '\x7f') });
const argument = fc.oneof(fc.string({ unit: 'grapheme' }), awkward).filter((s) => !s.includes('\0'));
const argv = fc.tuple(fc.constantFrom('/bin/sh', '/usr/bin/env', '/opt/my app/bin/run'), fc.array(argument, { maxLength: 6 })).map(([p, a]) => [p, ...a]);

describe("systemd's syntax, as zmart writes it", () => {
  it('gives back exactly the argv zmart runs, read by systemd.syntax rules (500 runs)', () => {
    fc.assert(
      fc.property(argv, (words) => {
        expect(readWords(execLine(words), true)).toEqual(words);
      }),
      { numRuns: 500 },
    );
  });

  it('gives back exactly the Environment= values (500 runs)', () => {
    fc.assert(
      fc.property(argument, (value) => {
        expect(readWords(environmentAssignment('PRICE', value), false)).toEqual([`PRICE=${value}`]);
      }),
      { numRuns: 500 },
    );
  });

  it('gives back exactly the values of the owner-only env file (500 runs)', () => {
    fc.assert(
      fc.property(fc.array(argument, { minLength: 1, maxLength: 4 }), (values) => {
        const text = values.map((v, n) => environmentFileLine(`SECRET_${n}`, v)).join('');
        expect(readEnvironmentFile(text)).toEqual(values.map((v, n) => [`SECRET_${n}`, v]));
      }),
      { numRuns: 500 },
    );
    // and the reader can fail: JSON's quoting (what zmart wrote before) turns a newline into a backslash and an n
    expect(readEnvironmentFile(`TOKEN=${JSON.stringify("it's\nx")}\n`)).not.toEqual([['TOKEN', "it's\nx"]]);
  });

  needs('systemd-analyze')('writes units systemd-analyze verify accepts, whatever the argv and the title (200 units in one run)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zmart-units-'));
    try {
      const samples = fc.sample(fc.tuple(argv, fc.string({ unit: fc.constantFrom('a', '%', '\n', '[', ']', '=', ' ', 'é') }), argument), {
        numRuns: 200,
        seed: 7,
      });
      const names = samples.map(([words, title, value], i) => {
        const name = `z${i}.service`;
        const unit = [
          '[Unit]',
          `Description=${unitText(title)}`,
          '',
          '[Service]',
          `ExecStart=${execLine(['/bin/true', ...words.slice(1)])}`,
          `Environment=${environmentAssignment('VALUE', value)}`,
          '',
        ].join('\n');
        expect(unit.split('\n')).toHaveLength(7); // nothing in a value started a line of its own
        writeFileSync(join(dir, name), unit);
        return join(dir, name);
      });
      const verify = spawnSync('systemd-analyze', ['verify', ...names], { encoding: 'utf8', timeout: 60_000 });
      expect(verify.stdout + verify.stderr).toBe('');
      expect(verify.status).toBe(0);
      // and the check can fail: an unescaped specifier is refused
      writeFileSync(join(dir, 'bad.service'), '[Service]\nExecStart=/bin/echo 100%k\n');
      const bad = spawnSync('systemd-analyze', ['verify', join(dir, 'bad.service')], { encoding: 'utf8' });
      expect(bad.stdout + bad.stderr).not.toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses what it cannot carry: a program that begins with a systemd prefix, a NUL byte', () => {
    expect(() => execLine(['-oops'])).toThrow("begins with one of systemd's ExecStart prefixes");
    expect(() => execLine(['/bin/echo', 'a\0b'])).toThrow('NUL byte');
  });
});
