import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { iniSections } from '../../../cli/import/ini-sections.js';
import { shellWords } from '../../../cli/import/shell-words.js';

/** Python itself (Debian's python3): what supervisord's shlex and configparser make of the same text. */
function python(script: string, input: unknown): unknown {
  const run = spawnSync('python3', ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', timeout: 20_000 });
  if (run.error) throw new Error(`python3 did not run (${run.error.message})`);
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout);
}

const SHLEX = `
import json, shlex, sys
out = []
for line in json.load(sys.stdin):
    try: out.append(shlex.split(line))
    except ValueError as e: out.append(None)
print(json.dumps(out))
`;

const CONFIGPARSER = `
import configparser, json, sys
out = []
for text in json.load(sys.stdin):
    p = configparser.RawConfigParser(inline_comment_prefixes=(';', '#'), strict=False)
    p.read_string(text)
    out.append([[s, dict(p.items(s))] for s in p.sections()])
print(json.dumps(out))
`;

describe('how supervisord reads its file, checked against Python', () => {
  it("splits command lines exactly as Python's shlex.split (400 lines, one python3 run)", () => {
    const unit = fc.constantFrom('a', 'b', ' ', '\t', "'", '"', '\\', '$', '&&', ';', '#', 'é', '=');
    const lines = fc.sample(fc.string({ unit, maxLength: 20 }), { numRuns: 400, seed: 4 });
    const expected = python(SHLEX, lines) as (string[] | null)[];
    lines.forEach((line, i) => {
      let got: string[] | null;
      try {
        got = shellWords(line);
      } catch {
        got = null;
      }
      expect(got, JSON.stringify(line)).toEqual(expected[i]);
    });
  });

  it("reads sections, keys, continuation lines and inline comments as supervisord 4's configparser", () => {
    const texts = [
      '[program:web]\ncommand = run --a=1 ; a comment\ndirectory: /srv\n',
      '[program:x]\nCommand=a;b # not a comment without a blank before it\nenvironment=A="1",\n  B="2"\n',
      '; top comment\n[program:y]\n# a comment line\ncommand=echo "x # y"\n\n[group:g]\nprograms=y\n',
    ];
    const expected = python(CONFIGPARSER, texts) as [string, Record<string, string>][][];
    texts.forEach((text, i) => {
      expect(
        iniSections(text).map((s) => [s.name, Object.fromEntries(s.values)]),
        text,
      ).toEqual(expected[i]);
    });
  });
});
