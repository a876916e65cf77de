import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { parse, stringify } from 'yaml';
import { dollarsKept } from '../../cli/export/carried.js';
import { composeFile } from '../../cli/export/compose-file.js';
import { newService } from '../../cli/fleet-model/defaults.js';
import { needs } from '../helpers/tools.js';

/**
 * Compose interpolates `$` from the deploying shell: proof by Compose's own parser (Debian's
 * docker-compose renders offline) that what zmart writes reads back as exactly the values
 * zmart runs, for 200 random commands and values in one file.
 */
const awkward = fc.string({ unit: fc.constantFrom('$', '{', '}', '(', ')', '%', '&', '"', "'", '\\', ' ', '5', 'H', 'é', '-', ':', '#') });
const value = fc.oneof(awkward, fc.string({ unit: 'grapheme-ascii' }));

function composeConfig(document: object, files: { name: string; content: string }[] = []): { code: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'zmart-compose-'));
  try {
    writeFileSync(join(dir, 'docker-compose.yml'), stringify(document));
    for (const file of files) writeFileSync(join(dir, file.name), file.content);
    const run = spawnSync('docker-compose', ['-f', join(dir, 'docker-compose.yml'), 'config'], { encoding: 'utf8', timeout: 60_000, cwd: dir });
    if (run.error) throw new Error(`docker-compose did not run (${run.error.message}): apt-get install docker-compose`);
    return { code: run.status, out: run.stdout + run.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('$ in Compose files', () => {
  needs('docker-compose')('reads back exactly: command words and environment values (200 services, one docker-compose config)', () => {
    const samples = fc.sample(fc.tuple(fc.array(value, { minLength: 1, maxLength: 4 }), value), { numRuns: 200, seed: 11 });
    const services = Object.fromEntries(
      samples.map(([command, env], i) => [`s${i}`, { image: 'x', command: command.map(dollarsKept), environment: { VALUE: dollarsKept(env) } }]),
    );
    const { code, out } = composeConfig({ services });
    expect(code, out).toBe(0);
    // the rendered file writes a literal $ as $$ again (it is a Compose file): one $ each
    const rendered = parse(out) as { services: Record<string, { command: string[]; environment: Record<string, string> }> };
    samples.forEach(([command, env], i) => {
      const s = rendered.services[`s${i}`]!;
      expect(s.command.map((w) => String(w).replaceAll('$$', '$'))).toEqual(command);
      expect(String(s.environment.VALUE ?? '').replaceAll('$$', '$')).toBe(env);
    });
  });

  needs('docker-compose')(
    'reads back exactly: secret values, from the owner-only env file or from the file itself (100 services, one docker-compose config)',
    () => {
      const secret = fc.oneof(value, fc.string({ unit: fc.constantFrom('$', '{', "'", '"', '\n', '\\', ' ', 'a', '#', '=') }));
      const samples = fc.sample(fc.tuple(secret, secret), { numRuns: 100, seed: 12 });
      const services = samples.map(([a, b], i) => ({
        ...newService(`s${i}`, ['run'], '/'),
        image: 'x',
        env: { plain: {}, secret: { API_TOKEN: a, DB_PASSWORD: b } },
      }));
      const { document, files } = composeFile({ name: 'f', root: '/', source: null, services, plugins: [] }, { outDir: '/' });
      expect(files.length).toBeGreaterThan(0); // some went to env files
      const { code, out } = composeConfig(document, files);
      expect(code, out).toBe(0);
      // docker-compose 1 writes YAML 1.1 (PyYAML)
      const rendered = parse(out, { version: '1.1' }) as { services: Record<string, { environment?: Record<string, string> }> };
      samples.forEach(([a, b], i) => {
        const env = rendered.services[`s${i}`]!.environment ?? {};
        expect([String(env.API_TOKEN ?? '').replaceAll('$$', '$'), String(env.DB_PASSWORD ?? '').replaceAll('$$', '$')]).toEqual([a, b]);
      });
    },
  );

  needs('docker-compose')('and the check can fail: an unescaped $5 is refused by Compose', () => {
    const { code, out } = composeConfig({ services: { a: { image: 'x', environment: { PRICE: '$5 & 100%' } } } });
    expect(code).not.toBe(0);
    expect(out).toMatch(/Invalid interpolation format/);
  });
});
