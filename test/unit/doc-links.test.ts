import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const DOCS = ['README.md', 'CHANGELOG.md', 'docs/plugins.md', 'bench/README.md', 'bench/RESULTS.md'];

/** Every relative link of a Markdown file (`[text](path)`, `![alt](path)`), without its #anchor; web links and pure anchors left out. */
function relativeLinks(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((target) => !/^[a-z]+:/i.test(target) && !target.startsWith('#'))
    .map((target) => target.split('#')[0]!);
}

describe('the docs link only to what exists', () => {
  it.each(DOCS)('%s', (file) => {
    const missing = relativeLinks(file).filter((target) => !existsSync(resolve(ROOT, dirname(file), target)));
    expect(missing).toEqual([]);
  });
});
