import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LineStamper } from '../../../../core/logging/line-stamper.js';
import { createRedactor, secretValues } from '../../../../core/logging/redact.js';
import { STAMP_KERNEL_WASM } from '../../../../core/logging/stamp-kernel.bytes.js';
import { StampKernel, stampLineByLine, stampLines, type StampLines } from '../../../../core/logging/stamp-kernel.js';

async function run(chunks: Array<string | Buffer>, tag: string | null, redact: ReturnType<typeof createRedactor>, stampWith = stampLines): Promise<Buffer[]> {
  const out: Buffer[] = [];
  const stamper = new LineStamper(
    tag,
    redact,
    (d) => out.push(d),
    () => new Date(Date.UTC(2026, 10, 27, 12)),
    stampWith,
  );
  for (const c of chunks) stamper.write(typeof c === 'string' ? Buffer.from(c) : c);
  stamper.end();
  return out;
}

async function stamp(chunks: Array<string | Buffer>, redact = createRedactor([]), stampWith = stampLines): Promise<string[]> {
  return Buffer.concat(await run(chunks, 'out', redact, stampWith))
    .toString()
    .split('\n')
    .slice(0, -1);
}

/** Seeded, so that a failure reproduces. */
function randomFrom(seed: number): (n: number) => number {
  return (n) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
}

describe('LineStamper', () => {
  it('timestamps whole lines, joining lines split across chunks, and flushes the last partial line', async () => {
    expect(await stamp(['hel', 'lo\nwor', 'ld\r\n', 'tail'])).toEqual([
      '2026-11-27T12:00:00.000Z out hello',
      '2026-11-27T12:00:00.000Z out world',
      '2026-11-27T12:00:00.000Z out tail',
    ]);
  });

  it('keeps a multi-byte character split across chunks whole', async () => {
    const euro = Buffer.from('price 5€\n');
    expect(await stamp([euro.subarray(0, 8), euro.subarray(8)])).toEqual(['2026-11-27T12:00:00.000Z out price 5€']);
  });

  it('replaces the values of secret-looking variables', async () => {
    const redact = createRedactor(secretValues({ API_KEY: 'abcd1234', HOME: '/root', DB_PASSWORD: 'pw-9999', X_TOKEN: 'abc' }));
    expect(await stamp(['key=abcd1234 home=/root pw=pw-9999 short=abc\n'], redact)).toEqual([
      '2026-11-27T12:00:00.000Z out key=[redacted] home=/root pw=[redacted] short=abc',
    ]);
  });

  it("keeps empty lines, drops only a line's own trailing \r, and stamps many lines of one chunk alike", async () => {
    expect(await stamp(['\n\r\na\rb\r\n', 'x\ny\nz\n'])).toEqual([
      '2026-11-27T12:00:00.000Z out ',
      '2026-11-27T12:00:00.000Z out ',
      '2026-11-27T12:00:00.000Z out a\rb',
      '2026-11-27T12:00:00.000Z out x',
      '2026-11-27T12:00:00.000Z out y',
      '2026-11-27T12:00:00.000Z out z',
    ]);
  });

  it('writes a line longer than 1 MB as lines of its own, cut between characters', async () => {
    const long = `${'a'.repeat(1024 * 1024 - 1)}€tail\n`; // the euro sign straddles the 1 MB mark
    const lines = await stamp([Buffer.from(long).subarray(0, 1024 * 1024), Buffer.from(long).subarray(1024 * 1024)]);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(`2026-11-27T12:00:00.000Z out ${'a'.repeat(1024 * 1024 - 1)}`);
    expect(lines[1]).toBe('2026-11-27T12:00:00.000Z out €tail');
  });

  it('redacts a secret anywhere in a chunk of many lines, and leaves other chunks as they are', async () => {
    const redact = createRedactor(['s3cr3t-value']);
    expect(await stamp(['one\ntwo s3cr3t-value\nthree', ' end\n'], redact)).toEqual([
      '2026-11-27T12:00:00.000Z out one',
      '2026-11-27T12:00:00.000Z out two [redacted]',
      '2026-11-27T12:00:00.000Z out three end',
    ]);
    const clean = Buffer.from('nothing to hide');
    expect(redact.bytes(clean)).toBe(clean);
  });
  it('stamps a chunk of long lines (copied whole) as it stamps short ones, short lines and CRs included', async () => {
    const long = (n: number) => `${'x'.repeat(90)} line ${n}`;
    const input = Array.from({ length: 20 }, (_, n) => (n % 5 === 4 ? `${long(n)}\r\n` : n % 7 === 6 ? 's\n' : `${long(n)}\n`)).join('');
    const cut = 1500; // the chunk boundary falls inside a long line
    const lines = await stamp(['held ', Buffer.from(input).subarray(0, cut), Buffer.from(input).subarray(cut)]);
    const expected = input
      .split('\n')
      .slice(0, -1)
      .map((l) => `2026-11-27T12:00:00.000Z out ${l.replace(/\r$/, '')}`);
    expected[0] = expected[0]!.replace(' out ', ' out held ');
    expect(lines).toEqual(expected);
  });

  it('without a tag writes the bytes as they came, in whole lines only, redacted', async () => {
    const redact = createRedactor(['s3cr3t-value']);
    const written = await run(['hel', 'lo\r\nwor', 'ld s3cr3t', '-value\n\nx\n', 'tail'], null, redact);
    expect(written.every((b) => b.at(-1) === 0x0a)).toBe(true);
    expect(Buffer.concat(written).toString()).toBe('hello\r\nworld [redacted]\n\nx\ntail\n');
  });

  describe.each([
    ['the WebAssembly kernel', stampLines],
    ['line by line (no kernel)', stampLineByLine],
  ] as Array<[string, StampLines]>)('stamping with %s', (_name, stampWith) => {
    it('stamps lines of every length, cut into chunks anywhere, as a line-by-line reference does', async () => {
      // Lines of 0-600 bytes (the kernel copies 16 at a time: every length mod 16 and lines
      // across vectors), some ending in '\r\n', some with a multi-byte character.
      const random = randomFrom(7);
      const lines = Array.from({ length: 3000 }, (_, n) => {
        const length = random(8) === 0 ? random(600) : random(24);
        return `${n}:${'abcdefghij€'.repeat(60).slice(0, length)}${random(5) === 0 ? '\r' : ''}`;
      });
      const input = Buffer.from(lines.map((l) => `${l}\n`).join(''));
      const chunks: Buffer[] = [];
      for (let at = 0; at < input.length; ) {
        const size = 1 + random(random(4) === 0 ? 64 * 1024 : 300);
        chunks.push(input.subarray(at, at + size));
        at += size;
      }
      const expected = lines.map((l) => `2026-11-27T12:00:00.000Z out ${l.replace(/\r$/, '')}`);
      expect(await stamp(chunks, undefined, stampWith)).toEqual(expected);
    });

    it('stamps chunks larger than the kernel takes at once, lines longer than that, and a long held line', async () => {
      const random = randomFrom(11);
      const lines = Array.from({ length: 400 }, (_, n) => `${n}:${'y'.repeat(random(10) === 0 ? 70_000 + random(70_000) : random(2000))}${n % 3 ? '' : '\r'}`);
      const input = Buffer.from(lines.map((l) => `${l}\n`).join(''));
      const open = 'z'.repeat(200_000); // held over from the chunk before: one line's start
      const expected = [`${open}${lines[0]}`, ...lines.slice(1)].map((l) => `2026-11-27T12:00:00.000Z out ${l.replace(/\r$/, '')}`);
      expect(await stamp([open, input.subarray(0, 900_000), input.subarray(900_000)], undefined, stampWith)).toEqual(expected);
    });
  });
});

describe('the stamp kernel', () => {
  it('is what `npm run wasm` assembles from stamp-kernel.wat', async () => {
    const initWabt = (await import('wabt')).default;
    const wabt = await initWabt();
    const module = wabt.parseWat('stamp-kernel.wat', readFileSync('core/logging/stamp-kernel.wat', 'utf8'), { simd: true });
    const assembled = Buffer.from(module.toBinary({}).buffer).toString('base64');
    module.destroy();
    expect(assembled).toBe(STAMP_KERNEL_WASM);
  });

  it('loads on this machine (else every stamp goes line by line)', () => {
    expect(StampKernel.load()).not.toBeNull();
  });
});
